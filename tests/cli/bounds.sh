#!/bin/sh
# bounds: --max-tries and --timeout give up with status 1; prefixes
# found before that are still printed.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

"$FIND_HASH" --offline 0123456789abcdef --max-tries 1000 >"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "--max-tries 1000"
[ -s "$scratch/out" ] && fail "stdout not empty after giving up"
expect_grep "0123456789abcdef: not found within" "$scratch/err" "give-up line"
expect_grep "1000 tries" "$scratch/err" "tries in give-up line"

"$FIND_HASH" --offline 0 0123456789abcdef --max-tries 1M >"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "one solvable, one not"
expect_lines 1 "$scratch/out" "the solvable answer"
read -r string digest <"$scratch/out"
check_answer 0 "$string" "$digest"

"$FIND_HASH" --offline fedcba9876543210 --timeout 0.5 >"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "--timeout 0.5"
expect_grep "not found within" "$scratch/err" "timeout line"

# the shard message differs from the give-up one
"$FIND_HASH" --offline fedcba9876543210 --seed 1 --shard 0/1000000000000 >"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "exhausted shard"
expect_grep "not found in this shard" "$scratch/err" "shard line"
finish
