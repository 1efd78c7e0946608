#!/bin/sh
# seed: the same seed gives the same answer on any thread count, a
# different seed another; shards of one seed find the unsharded answer.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
# Answers are printed as each settles, so two prefixes may come in either
# order: the runs are compared as sorted sets of lines.
seeded() { out=$1; shift; "$FIND_HASH" --offline "$@" >"$out" && sort -o "$out" "$out"; }

seeded "$scratch/t1" --seed 42 --threads 1 0ce 5a5 || fail "seed 42, 1 thread"
seeded "$scratch/t2" --seed 42 --threads 2 0ce 5a5 || fail "seed 42, 2 threads"
seeded "$scratch/t5" --seed 42 --threads 5 0ce 5a5 || fail "seed 42, 5 threads"
cmp -s "$scratch/t1" "$scratch/t2" || fail "1 and 2 threads differ: $(cat "$scratch/t1" "$scratch/t2")"
cmp -s "$scratch/t1" "$scratch/t5" || fail "1 and 5 threads differ"
seeded "$scratch/s43" --seed 43 0ce 5a5 || fail "seed 43"
cmp -s "$scratch/t1" "$scratch/s43" && fail "seeds 42 and 43 gave the same answers"
seeded "$scratch/hex" --seed 0x2a --threads 2 0ce 5a5 || fail "seed 0x2a"
cmp -s "$scratch/t1" "$scratch/hex" || fail "seed 0x2a differs from 42"
while read -r s d; do check_answer "$(echo "$d" | cut -c1-3)" "$s" "$d"; done <"$scratch/t1"

# With one shard of one, the space is the whole space: the same answer.
seeded "$scratch/sh" --seed 42 --shard 0/1 0ce 5a5 || fail "shard 0/1"
cmp -s "$scratch/t1" "$scratch/sh" || fail "shard 0/1 differs from the unsharded run"
# Shard 0 of 2 holds the unsharded answer (it is near the start of the
# space); the same index from JOB_COMPLETION_INDEX gives the same.
"$FIND_HASH" --offline --seed 42 --shard 0/2 0ce >"$scratch/a" || fail "shard 0/2"
JOB_COMPLETION_INDEX=0 "$FIND_HASH" --offline --seed 42 --shards 2 0ce >"$scratch/b" || fail "--shards 2"
cmp -s "$scratch/a" "$scratch/b" || fail "--shard 0/2 and --shards 2 with index 0 differ"
grep "  0ce" "$scratch/t1" | cmp -s - "$scratch/a" || fail "shard 0/2 answer differs from the unsharded one"
# Shard 1 of 2 is elsewhere in the space: another answer, still right.
"$FIND_HASH" --offline --seed 42 --shard 1/2 0ce >"$scratch/c" || fail "shard 1/2"
cmp -s "$scratch/a" "$scratch/c" && fail "shards 0/2 and 1/2 gave the same answer"
read -r s d <"$scratch/c"
check_answer 0ce "$s" "$d"
finish
