#!/bin/sh
# hardening-stdin: prefixes on standard input that cannot all be read end
# --offline - with status 5 and one line, before any search.  A line too
# long for the memory left made getline fail with ENOMEM but no error
# flag: it passed for the end of the input, the prefixes before it were
# solved, the ones after it dropped, and the status was 0.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

# 0c, then a 400 MB line, then 0d, under a 300 MB address-space limit:
# the long line cannot be held
{ echo 0c; head -c 400000000 /dev/zero; echo; echo 0d; } |
	(ulimit -v 300000 || exit 99
	 exec "$FIND_HASH" --offline --threads 1 -) >"$scratch/out" 2>"$scratch/err"
expect_status 5 $? "a line too long for memory"
expect_lines 1 "$scratch/err" "a line too long for memory: one line"
expect_grep "^find-hash: cannot read prefixes from stdin \(line 2\): Cannot allocate memory$" \
	"$scratch/err" "a line too long for memory: said"
[ -s "$scratch/out" ] && fail "a line too long for memory: a prefix was solved anyway"

# standard input a directory: a read error, status 5 (as --enqueue -)
"$FIND_HASH" --offline - </ >"$scratch/out" 2>"$scratch/err"
expect_status 5 $? "stdin a directory"
expect_grep "^find-hash: cannot read prefixes from stdin \(line 1\): Is a directory$" \
	"$scratch/err" "stdin a directory: said"
finish
