#!/bin/sh
# Release - one version: configure.ac's AC_INIT version (PACKAGE_VERSION in
# config.h) is the one that `find-hash --version`, the generated man page,
# debian/changelog (its upstream part), rpm/find-hash.spec, the image tags
# of contrib/k8s, the Dockerfile's version label and the file names in the
# README all carry.
set -u

: "${top_srcdir:?run from make check}" "${top_builddir:?run from make check}"
: "${FIND_HASH:=$top_builddir/src/find-hash}"
: "${MAN_PAGE:=$top_builddir/man/find-hash.1}"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

want=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
if [ -z "$want" ]; then
	echo "ERROR: no PACKAGE_VERSION in $top_builddir/config.h"
	exit 99
fi
echo "configure.ac version: $want"
want_re=$(printf '%s\n' "$want" | sed 's/[.]/\\./g')

# only_want LABEL WHERE FOUND: FOUND, the versions read from WHERE (one a
# line, sorted and unique), is $want and nothing else.
only_want() {
	if [ -z "$3" ]; then
		fail "no $1 in $2"
	elif [ "$3" = "$want" ]; then
		pass "$2: $1 $3"
	else
		fail "$2 has $1 $(printf "%s " $3)- expected $want"
	fi
}

# --version: first line "find-hash VERSION".
first=$("$FIND_HASH" --version 2>&1 | head -n 1)
if [ "$first" = "find-hash $want" ]; then
	pass "--version: $first"
else
	fail "--version first line is '$first', expected 'find-hash $want'"
fi

# The man page: one of the .TH line's fields is the version, alone or
# after the program's name.
th=$(grep -m 1 '^\.TH ' "$MAN_PAGE" 2>/dev/null)
if [ -z "$th" ]; then
	fail "no .TH line in $MAN_PAGE"
elif printf '%s\n' "$th" | tr '"' '\n' |
	grep -Eqx "[[:space:]]*(find-hash )?${want_re}[[:space:]]*"; then
	pass "man page: $th"
else
	fail "man page .TH line '$th' does not carry $want"
fi

# debian/changelog: the top entry, "find-hash (VERSION-REVISION) ...";
# an epoch ("1:") or a revision do not count, the upstream part must match.
changelog=$top_srcdir/debian/changelog
deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$changelog" 2>/dev/null)
deb_upstream=$(printf '%s\n' "$deb" | sed 's/^[0-9]*://; s/-[^-]*$//')
if [ -z "$deb" ]; then
	fail "cannot read the top version of $changelog"
elif [ "$deb_upstream" = "$want" ]; then
	pass "debian/changelog: $deb"
else
	fail "debian/changelog's top version $deb has upstream part $deb_upstream, expected $want"
fi

# rpm/find-hash.spec: the Version: tag (Release carries the packaging).
spec=$top_srcdir/rpm/find-hash.spec
rpmv=$(sed -n 's/^Version:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$spec" 2>/dev/null | head -n 1)
only_want "Version:" "$spec" "$rpmv"

# The spec's newest %changelog entry ends in " - VERSION-RELEASE".
rpmcl=$(sed -n '/^%changelog/,$ { /^\* /{ s/.* - \([^ ]*\)$/\1/p; q; } }' "$spec" 2>/dev/null)
if [ "${rpmcl%-*}" = "$want" ]; then
	pass "rpm spec %changelog: $rpmcl"
else
	fail "$spec's newest %changelog entry is for '$rpmcl', expected $want-RELEASE"
fi

# contrib/k8s: every manifest runs the image tagged with this version.
tags=$(cat "$top_srcdir"/contrib/k8s/*.yaml 2>/dev/null |
	sed -n 's/^[[:space:]]*image:[[:space:]]*find-hash:\([^[:space:]]*\).*/\1/p' | sort -u)
only_want "image tag find-hash:" "contrib/k8s/*.yaml" "$tags"

# contrib/k8s/Dockerfile: the image's version label, and the tags its
# build commands give.
dv=$( { sed -n 's/^ARG FIND_HASH_VERSION=\(.*\)$/\1/p' "$top_srcdir/contrib/k8s/Dockerfile"
	grep -o 'find-hash:[0-9][0-9.]*[0-9]' "$top_srcdir/contrib/k8s/Dockerfile" | sed 's/^find-hash://'
	} 2>/dev/null | sort -u)
only_want "FIND_HASH_VERSION and image tags" contrib/k8s/Dockerfile "$dv"

# The README: its commands and paths name the tarball, the .deb and the
# documentation directory by version, and a user copies them as they are.
readme_versions=$(grep -o 'find-hash[-_][0-9][0-9.]*[0-9]' "$top_srcdir/README" |
	sed 's/^find-hash[-_]//' | sort -u)
only_want "versioned file name (find-hash-X.Y.Z, find-hash_X.Y.Z)" README \
	"$readme_versions"

[ "$failures" -eq 0 ] || exit 1
exit 0
