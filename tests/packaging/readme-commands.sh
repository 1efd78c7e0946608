#!/bin/sh
# readme-commands: the README's copy-paste lines hold on a machine they
# were not tried on.  check-repo runs its repository lines in fresh roots;
# this checks, on every line, what those runs cannot see:
#  - a line that installs from Debian's archive runs apt-get update first,
#    on that same line, in the README and in contrib/*/README alike: a bare
#    debian:12 or debian:13 container has no package lists ("Unable to
#    locate package"), and a machine's may be stale;
#  - the RPM on a Debian machine is built by contrib/repo/build-rpm, which
#    check-repo tests, not by rpmbuild --nodeps alone (no Fedora flags, no
#    compressed man page, docs in NAME-VERSION);
#  - a dnf command line (README and contrib/*/README) works with dnf 4 and
#    with dnf5, Fedora's dnf from 41 on, which Debian does not ship for
#    check-repo to run: nothing only one of them has (dnf5 dropped
#    config-manager --add-repo and the --enable/--disable switches, dnf 4
#    has no config-manager addrepo; see contrib/repo/README);
#  - a buildah or podman build line (contrib/k8s/README, and the one at the
#    top of contrib/k8s/Dockerfile) reads the ignore file and names
#    FIND_HASH_FROM: buildah and podman read no .dockerignore beside a
#    Dockerfile elsewhere, and buildah 1.28 (Debian 12's) without the
#    argument stops at "packages-source: image not known".
. "${top_srcdir:-.}/tests/lib/test-env.sh"

readme=$top_srcdir/README
sed -n 's/^    //p' "$readme" >"$scratch/lines"
[ -s "$scratch/lines" ] || fail "no indented command lines in README"

n=0
while IFS= read -r line; do
	case $line in
	*"apt-get install"* | *"apt install"*) ;;
	*) continue ;;
	esac
	n=$((n + 1))
	before=${line%%apt-get install*}
	before=${before%%apt install*}
	case $before in
	*"apt-get update"*) ;;
	*) fail "README installs from the archive without apt-get update first: $line" ;;
	esac
done <"$scratch/lines"
[ "$n" -ge 3 ] || fail "only $n README lines install packages; expected the repository, build and package lines"
# the maintainers' READMEs: their command lines are indented by two or more
for f in contrib/repo/README contrib/k8s/README; do
	sed -n 's/^ \{2,\}//p' "$top_srcdir/$f" | while IFS= read -r line; do
		case $line in
		*"apt-get install"* | *"apt install"*) ;;
		*) continue ;;
		esac
		before=${line%%apt-get install*}
		before=${before%%apt install*}
		case $before in
		*"apt-get update"*) ;;
		*) echo "$f installs from the archive without apt-get update first: $line" ;;
		esac
	done
done >"$scratch/contrib-apt"
while IFS= read -r m; do fail "$m"; done <"$scratch/contrib-apt"

grep -Eq '(^|[ ;&|])contrib/repo/build-rpm [^ ]+ find-hash-[0-9.]+\.tar\.gz' "$scratch/lines" ||
	fail "README has no command line building the RPM with contrib/repo/build-rpm (Debian)"
[ -x "$top_srcdir/contrib/repo/build-rpm" ] || fail "contrib/repo/build-rpm is missing or not executable"

# the indented lines of every README that run dnf as a command: first on
# the line or after ;, &&, ||, | or $SUDO (prose that names a form, quoted,
# is not a command)
for f in README contrib/repo/README contrib/k8s/README; do
	sed -n 's/^ \{2,\}//p' "$top_srcdir/$f" |
		grep -E '(^|[;&|] *|(\$SUDO|sudo) )dnf5? ' | sed "s|^|$f: |"
done >"$scratch/dnf-lines"
[ -s "$scratch/dnf-lines" ] || fail "no dnf command line in the READMEs"
while IFS= read -r line; do
	case $line in
	*"--add-repo"* | *" addrepo"* | *"--set-enabled"* | *"--set-disabled"* | \
		*"dnf --enable"* | *"dnf --disable "* | *" groupinstall"* | *"--downloaddir"* | \
		*"--disableexcludes"* | *" erase "* | *"repolist -v"*)
		fail "a dnf line that dnf 4 or dnf5 does not take: $line" ;;
	esac
done <"$scratch/dnf-lines"

# buildah and podman build lines, continuation lines joined: the README's
# indented ones, the Dockerfile's in its opening comment
{
	sed -n 's/^ \{2,\}//p' "$top_srcdir/contrib/k8s/README"
	sed -n '/^[^#]/q; s/^# \{2,\}//p' "$top_srcdir/contrib/k8s/Dockerfile"
} | awk '{ if (sub(/\\$/, "")) { acc = acc $0; next } print acc $0; acc = "" }' |
	grep -E '^(buildah|podman) build ' >"$scratch/image-lines"
[ "$(wc -l <"$scratch/image-lines")" -ge 3 ] ||
	fail "expected buildah and podman build lines in contrib/k8s/README and the Dockerfile, found: $(cat "$scratch/image-lines")"
while IFS= read -r line; do
	case $line in
	*"--ignorefile contrib/k8s/Dockerfile.dockerignore"*"--build-arg FIND_HASH_FROM="*) ;;
	*) fail "a build line without --ignorefile contrib/k8s/Dockerfile.dockerignore and --build-arg FIND_HASH_FROM: $line" ;;
	esac
done <"$scratch/image-lines"

finish
