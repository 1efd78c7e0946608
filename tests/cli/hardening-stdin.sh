#!/bin/sh
# hardening-stdin: prefixes on standard input are read a line of at most
# 4096 bytes at a time, never more.  A longer line is a bad prefix: status
# 2 and one line naming the line and the limit, before any search.  It
# used to be read whole into memory: /dev/zero or a binary file on stdin
# took all the memory there was, then ended as status 5.  A read error
# (stdin a directory) is still status 5.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

# 0c, then a 400 MB line, then 0d, under a 300 MB address-space limit:
# nothing of the long line past its first 4096 bytes is held
{ echo 0c; head -c 400000000 /dev/zero; echo; echo 0d; } |
	(ulimit -v 300000 || exit 99
	 exec "$FIND_HASH" --offline --threads 1 -) >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "a 400 MB line"
expect_lines 1 "$scratch/err" "a 400 MB line: one line"
expect_grep "^find-hash: invalid prefix \(stdin line 2\): the line is over 4096 bytes, longer than any prefix$" \
	"$scratch/err" "a 400 MB line: said"
[ -s "$scratch/out" ] && fail "a 400 MB line: a prefix was solved anyway"

# /dev/zero, a line without end, under the same limit
(ulimit -v 300000 || exit 99
 exec "$FIND_HASH" --offline --threads 1 - </dev/zero) >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "/dev/zero on stdin"
expect_lines 1 "$scratch/err" "/dev/zero on stdin: one line"
expect_grep "^find-hash: invalid prefix \(stdin line 1\): the line is over 4096 bytes, longer than any prefix$" \
	"$scratch/err" "/dev/zero on stdin: said"

# the limit itself: 4096 bytes (a prefix with blanks) are a line, 4097 not
{ printf '%4094s0c\n' ''; printf '%4095s0d\n' ''; } |
	"$FIND_HASH" --offline --threads 1 - >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "a line of 4097 bytes"
expect_grep "^find-hash: invalid prefix \(stdin line 2\): the line is over 4096 bytes" \
	"$scratch/err" "a line of 4097 bytes: said"
printf '%4094s0c\n' '' | "$FIND_HASH" --offline --threads 1 - >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "a line of 4096 bytes"
expect_lines 1 "$scratch/out" "a line of 4096 bytes: its answer"

# a NUL in a line: a byte that is no hex digit, not the line's end
printf '0c\n0\000d\n' | "$FIND_HASH" --offline --threads 1 - >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "a NUL in a line"
expect_grep "^find-hash: invalid prefix '0.x00d.x0a' \(stdin line 2\): " \
	"$scratch/err" "a NUL in a line: said"

# standard input a directory: a read error, status 5 (as --enqueue -)
"$FIND_HASH" --offline - </ >"$scratch/out" 2>"$scratch/err"
expect_status 5 $? "stdin a directory"
expect_grep "^find-hash: cannot read prefixes from stdin \(line 1\): Is a directory$" \
	"$scratch/err" "stdin a directory: said"
finish
