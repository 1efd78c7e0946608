#!/bin/sh
# hardening-fds: a closed standard input, output or error is opened on
# /dev/null before anything else (so no socket or file can take its
# number): the run works as usual and what goes to a closed one is
# discarded.  tests/cli/hardening-queue.sh checks the broker side.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

"$FIND_HASH" --offline --seed 3 0ce >"$scratch/want" 2>"$scratch/err"
expect_status 0 $? "reference run"

"$FIND_HASH" --offline --seed 3 0ce >&- 2>"$scratch/err"
expect_status 0 $? "stdout closed"
[ -s "$scratch/err" ] && fail "stdout closed: stderr has: $(cat "$scratch/err")"

"$FIND_HASH" --offline --seed 3 0ce 2>&- >"$scratch/out"
expect_status 0 $? "stderr closed"
cmp -s "$scratch/want" "$scratch/out" || fail "stderr closed: printed $(cat "$scratch/out")"

"$FIND_HASH" --offline --seed 3 0ce <&- >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "stdin closed"
cmp -s "$scratch/want" "$scratch/out" || fail "stdin closed: printed $(cat "$scratch/out")"

# all three closed, and an error on the way: the status still says it
"$FIND_HASH" --offline 0cg <&- >&- 2>&-
expect_status 2 $? "all closed, bad prefix"
"$FIND_HASH" --offline --seed 3 0ce <&- >&- 2>&-
expect_status 0 $? "all closed"
finish
