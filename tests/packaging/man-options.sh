#!/bin/sh
# man-options: the man page documents exactly the long options --help
# lists, the exit statuses of src/fh-exit.h, and is clean under mandoc.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

"$FIND_HASH" --help >"$scratch/help" || fail "--help"
grep -Eo -- '--[a-z][a-z-]+' "$scratch/help" | sort -u >"$scratch/help-opts"
# in roff the dashes are escaped: \-\-name
grep -Eo -- '\\-\\-[a-z][a-z\\-]+' "$MAN_PAGE" | sed 's/\\//g' | sort -u >"$scratch/man-opts"
[ -s "$scratch/help-opts" ] || fail "no options found in --help"
missing=$(comm -23 "$scratch/help-opts" "$scratch/man-opts")
extra=$(comm -13 "$scratch/help-opts" "$scratch/man-opts")
[ -z "$missing" ] || fail "in --help but not in the man page: $missing"
[ -z "$extra" ] || fail "in the man page but not in --help: $extra"

# EXIT STATUS: each enum value has a .B N entry in that section
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$MAN_PAGE" | sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' | sort -n >"$scratch/man-codes"
sed -n 's/^\s*X(FH_EXIT_[A-Z_]*, \([0-9][0-9]*\),.*/\1/p' "$top_srcdir/src/fh-exit.h" | sort -n >"$scratch/enum-codes"
[ -s "$scratch/enum-codes" ] || fail "no exit codes read from fh-exit.h"
cmp -s "$scratch/man-codes" "$scratch/enum-codes" ||
	fail "EXIT STATUS lists $(echo $(cat "$scratch/man-codes")), fh-exit.h has $(echo $(cat "$scratch/enum-codes"))"

grep -q '^\.TH FIND-HASH 1 .*"find-hash [0-9]' "$MAN_PAGE" || fail ".TH has no version"
grep -q '@VERSION@' "$MAN_PAGE" && fail "@VERSION@ not substituted"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -q "^\.SH $section\$" "$MAN_PAGE" || fail "no $section section"
done
if command -v mandoc >/dev/null; then
	mandoc -T lint -W warning "$MAN_PAGE" >"$scratch/lint" 2>&1
	[ -s "$scratch/lint" ] && { fail "mandoc -T lint:"; cat "$scratch/lint" >&2; }
else
	echo "man-options: mandoc is not installed (apt-get install mandoc)" >&2
	exit 99
fi
finish
