#!/bin/sh
# readme-upgrade: the README's release-upgrade line (the one that moves the
# find-hash apt sources from bookworm to trixie) does that and nothing
# else.  check-repo cannot run it: it needs a machine moved from Debian 12
# to 13.  Here the line is taken from the README as a user copies it and
# run whole, by bash and by sh, on a directory standing in for
# /etc/apt/sources.list.d (the only path changed), with apt-get replaced by
# a stub that records its arguments:
#  - on the sources the README's own install lines write on bookworm, main
#    and debug: afterwards they are byte for byte what the same lines
#    write on trixie, and apt-get ran "update", then "upgrade -y";
#  - on sources a user edited by hand: trailing blanks, a tab after the
#    colon, both suites on one line: every find-hash suite names trixie
#    after, no other line changes;
#  - other sources in the same directory, Debian's own among them, keep
#    every byte;
# as root without sudo ($SUDO empty) and as a user with sudo.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

readme=$top_srcdir/README
sed -n 's/^    //p' "$readme" >"$scratch/lines"
grep -F 'sed -i' "$scratch/lines" | grep -F 'Suites:' >"$scratch/upgrade-line"
expect_lines 1 "$scratch/upgrade-line" "README lines that move the apt sources to trixie (sed -i ... Suites:)"
grep -F '/etc/apt/sources.list.d/find-hash' "$scratch/lines" | grep -F 'tee ' >"$scratch/writer-lines"
expect_lines 2 "$scratch/writer-lines" "README lines that write a find-hash .sources (main, debug)"
[ "$failures" -eq 0 ] || finish
upgrade=$(cat "$scratch/upgrade-line")

# The stand-ins: apt-get records its arguments; sudo, where there is one,
# runs its command (the PATH below holds nothing but these and the real
# sed and tee, so command -v sudo finds only this one, or none).
mkdir "$scratch/bin" "$scratch/bin-sudo"
for t in sed tee; do
	p=$(command -v "$t") || { echo "$test_name: no $t" >&2; exit 99; }
	ln -s "$p" "$scratch/bin/$t"
	ln -s "$p" "$scratch/bin-sudo/$t"
done
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/apt.log"\n' "$scratch" >"$scratch/bin/apt-get"
cp "$scratch/bin/apt-get" "$scratch/bin-sudo/apt-get"
printf '#!/bin/sh\nprintf "sudo %%s\\n" "$1" >>"%s/apt.log"\nexec "$@"\n' "$scratch" >"$scratch/bin-sudo/sudo"
chmod 755 "$scratch"/bin/apt-get "$scratch"/bin-sudo/apt-get "$scratch"/bin-sudo/sudo

# run_line SHELL BIN DIR LINE: LINE with /etc/apt/sources.list.d/ and
# /etc/os-release moved into DIR, run by SHELL with PATH=BIN
run_line() {
	l=$(printf '%s\n' "$4" | sed -e "s|/etc/apt/sources\.list\.d/|$3/sources.list.d/|g" \
		-e "s|/etc/os-release|$3/os-release|g")
	case $l in
	*/etc/apt/sources.list.d* | *" /etc/os-release"*) fail "cannot move the line's paths: $l"; return 1 ;;
	esac
	env -i PATH="$2" HOME="$scratch" "$(command -v "$1")" -c "$l"
}
# sources DIR CODENAME: the README's install lines on a release CODENAME
sources() {
	mkdir -p "$1/sources.list.d"
	printf 'PRETTY_NAME="Debian"\nVERSION_CODENAME=%s\n' "$2" >"$1/os-release"
	while IFS= read -r w; do
		run_line sh "$scratch/bin" "$1" "$w" || fail "README line failed on $2: $w"
	done <"$scratch/writer-lines"
	rm -f "$scratch/apt.log"
}
# others DIR: sources that are not find-hash's, beside its own
others() {
	printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' \
		'Suites: bookworm bookworm-updates' 'Components: main' \
		'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
		>"$1/sources.list.d/debian.sources"
	printf '%s\n' 'Types: deb' 'URIs: https://packages.example.org/debian' \
		'Suites: bookworm' 'Components: main' >"$1/sources.list.d/vendor.sources"
	printf '%s\n' 'deb http://deb.debian.org/debian bookworm-backports main' \
		>"$1/sources.list.d/backports.list"
	mkdir "$1/before"
	cp "$1"/sources.list.d/debian.sources "$1"/sources.list.d/vendor.sources \
		"$1"/sources.list.d/backports.list "$1/before/"
}
# same_others DIR WHAT: the other sources keep every byte
same_others() {
	for f in debian.sources vendor.sources backports.list; do
		cmp -s "$1/before/$f" "$1/sources.list.d/$f" ||
			{ fail "$2: the line changed $f, not find-hash's:"; diff "$1/before/$f" "$1/sources.list.d/$f" >&2; }
	done
}
# ran_apt WANT WHAT: the stub's record
ran_apt() {
	got=$(cat "$scratch/apt.log" 2>/dev/null)
	[ "$got" = "$1" ] || fail "$2: apt-get ran as '$(printf '%s' "$got" | tr '\n' '|')', expected '$(printf '%s' "$1" | tr '\n' '|')'"
	rm -f "$scratch/apt.log"
}

sources "$scratch/trixie" trixie
grep -qx 'Suites: trixie' "$scratch/trixie/sources.list.d/find-hash.sources" &&
	grep -qx 'Suites: trixie-debug' "$scratch/trixie/sources.list.d/find-hash-debug.sources" ||
	fail "the README's install lines on trixie do not write Suites: trixie and trixie-debug"

for sh in sh bash; do
	for who in root user; do
		case $who in
		root) bin=$scratch/bin want='update
upgrade -y' ;;
		user) bin=$scratch/bin-sudo want='sudo sed
sudo apt-get
update
sudo apt-get
upgrade -y' ;;
		esac

		# the sources as the README's install lines write them on bookworm
		d=$scratch/$sh-$who-readme
		sources "$d" bookworm
		grep -qx 'Suites: bookworm' "$d/sources.list.d/find-hash.sources" ||
			fail "the README's install lines on bookworm do not write Suites: bookworm"
		others "$d"
		run_line "$sh" "$bin" "$d" "$upgrade" || fail "$sh, $who: the README's upgrade line failed"
		for f in find-hash.sources find-hash-debug.sources; do
			cmp -s "$scratch/trixie/sources.list.d/$f" "$d/sources.list.d/$f" ||
				{ fail "$sh, $who: $f after the upgrade line is not what the install lines write on trixie:"; diff "$scratch/trixie/sources.list.d/$f" "$d/sources.list.d/$f" >&2; }
		done
		same_others "$d" "$sh, $who"
		ran_apt "$want" "$sh, $who"

		# the same sources edited by hand
		d=$scratch/$sh-$who-edited
		mkdir -p "$d/sources.list.d"
		printf '%s\n' 'Types: deb' 'URIs: https://find-hash.github.io/find-hash/apt' \
			'Suites: bookworm  ' 'Components: main' 'Architectures: amd64' \
			'Signed-By: /etc/apt/keyrings/find-hash-archive-keyring.pgp' \
			>"$d/sources.list.d/find-hash.sources"
		printf '%s\n' '# find-hash debug symbols' 'Types: deb' \
			'URIs: https://find-hash.github.io/find-hash/apt' \
			'Suites:	bookworm-debug ' 'Components: main' \
			'Signed-By: /etc/apt/keyrings/find-hash-archive-keyring.pgp' \
			>"$d/sources.list.d/find-hash-debug.sources"
		printf '%s\n' 'Types: deb' 'URIs: https://find-hash.github.io/find-hash/apt' \
			'Suites: bookworm bookworm-debug' 'Components: main' \
			'Signed-By: /etc/apt/keyrings/find-hash-archive-keyring.pgp' \
			>"$d/sources.list.d/find-hash-both.sources"
		others "$d"
		cp -r "$d/sources.list.d" "$d/edited"
		run_line "$sh" "$bin" "$d" "$upgrade" || fail "$sh, $who: the README's upgrade line failed on edited sources"
		for f in find-hash.sources:trixie find-hash-debug.sources:trixie-debug \
			find-hash-both.sources:'trixie trixie-debug'; do
			name=${f%%:*} want_suites=${f#*:}
			got=$(sed -n 's/^Suites:[[:space:]]*//p' "$d/sources.list.d/$name" | sed 's/[[:space:]]*$//' | tr -s ' \t' '  ')
			[ "$got" = "$want_suites" ] ||
				fail "$sh, $who: hand-edited $name names suites '$got' after the upgrade line, expected '$want_suites'"
			grep -v '^Suites:' "$d/edited/$name" >"$scratch/a"
			grep -v '^Suites:' "$d/sources.list.d/$name" >"$scratch/b"
			cmp -s "$scratch/a" "$scratch/b" ||
				{ fail "$sh, $who: the upgrade line changed more than Suites: in hand-edited $name:"; diff "$scratch/a" "$scratch/b" >&2; }
		done
		same_others "$d" "$sh, $who, hand-edited"
		ran_apt "$want" "$sh, $who, hand-edited"
	done
done

finish
