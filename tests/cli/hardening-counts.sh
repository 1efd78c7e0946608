#!/bin/sh
# hardening-counts: the counts --threads, --max-tries, --shard, --shards
# and JOB_COMPLETION_INDEX start with a digit: a leading blank or sign is
# a usage error that names the value, as for --seed (strtoull alone would
# skip the blank and read " -1" as 2^64-1).
. "${top_srcdir:-.}/tests/lib/test-env.sh"

# The good forms still work.
"$FIND_HASH" --offline --seed 1 --threads 1 --max-tries 5k 0 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--threads 1 --max-tries 5k"
"$FIND_HASH" --offline --seed 1 --shard 1/2 0 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--shard 1/2"

# bad OPTION VALUE: exit 2, one line naming both, nothing on stdout
bad() {
	"$@" >"$scratch/out" 2>"$scratch/err"
	expect_status 2 $? "$label"
	expect_lines 1 "$scratch/err" "$label"
	grep -Fq -- "$want" "$scratch/err" ||
		fail "$label: the message does not name $want: $(cat "$scratch/err")"
	[ -s "$scratch/out" ] && fail "$label printed $(cat "$scratch/out")"
}
for v in " 2" "+2" " +2" " -1" "	2"; do
	label="--threads '$v'" want="invalid --threads '$v'"
	bad "$FIND_HASH" --offline --threads "$v" 0
	label="--max-tries '$v'" want="invalid --max-tries '$v'"
	bad "$FIND_HASH" --offline --max-tries "$v" 0
	label="--shards 4 with JOB_COMPLETION_INDEX '$v'"
	want="invalid JOB_COMPLETION_INDEX '$v'"
	bad env JOB_COMPLETION_INDEX="$v" "$FIND_HASH" --offline --seed 1 --shards 4 0
	label="--shards '$v'" want="invalid --shards '$v'"
	bad env JOB_COMPLETION_INDEX=0 "$FIND_HASH" --offline --seed 1 --shards "$v" 0
done
for v in " 1/2" "+1/2" "1/ 2" "1/+2"; do
	label="--shard '$v'" want="invalid --shard"
	bad "$FIND_HASH" --offline --seed 1 --shard "$v" 0
done
# The message names the whole I/N and which part is wrong, not the part
# alone ("invalid --shard '0'" for 0/0 said neither).
for v in "0/0:N is too small" "/2:I is not a whole number" \
	"1/2x:N is not a whole number"; do
	label="--shard '${v%%:*}'" want="invalid --shard '${v%%:*}': ${v#*:}"
	bad "$FIND_HASH" --offline --seed 1 --shard "${v%%:*}" 0
done
# Kubernetes writes the index in plain digits: 1k is not 1000 there.
label="JOB_COMPLETION_INDEX '1k'" want="invalid JOB_COMPLETION_INDEX '1k'"
bad env JOB_COMPLETION_INDEX=1k "$FIND_HASH" --offline --seed 1 --shards 2000 0
finish
