#!/bin/bash
# shards-poison: the shard body format end to end.  --enqueue
# --split N writes N bodies "PREFIX I/N SEED" with one seed per prefix
# (--seed fixes it, else it is random) and the job id as correlation id;
# --split takes 1 to 1048576 and is for --enqueue only; a malformed shard
# body is poison: rejected without requeue, one line naming the reason,
# exit 4, and the worker holds no notice connection afterwards.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

queue_declare job

# --- what --split writes -------------------------------------------------
"$FIND_HASH" --queue job --enqueue --split 3 --seed 42 ABC 0d 2>"$scratch/err"
expect_status 0 $? "enqueue --split 3"
expect_grep "enqueued 2 prefixes in 3 shards each" "$scratch/err" "note"
queue_wait_counts job 5 "6 0" || fail "6 shard messages"
for want in "abc 0/3 42" "abc 1/3 42" "abc 2/3 42" \
	"0d 0/3 42" "0d 1/3 42" "0d 2/3 42"; do
	got=$(queue_get job)
	[ "$got" = "$want" ] || fail "body '$got', expected '$want'"
done
# --split 1 still writes a shard body: the job gets a notice and marker
"$FIND_HASH" --queue job --enqueue --split 1 --seed 5 0e 2>/dev/null
expect_status 0 $? "enqueue --split 1"
[ "$(queue_get job)" = "0e 0/1 5" ] || fail "--split 1 body"
queue_wait_counts job 5 "0 0" || fail "queue drained"

# without --seed: one random seed, the same in all shards of a prefix,
# another for the next prefix (2^-64 odds of a false failure)
"$FIND_HASH" --queue job --enqueue --split 4 0a 0b 2>/dev/null
expect_status 0 $? "enqueue --split 4 without --seed"
queue_wait_counts job 5 "8 0" || fail "8 shard messages"
for i in 1 2 3 4 5 6 7 8; do queue_get job; echo; done >"$scratch/bodies"
expect_lines 8 "$scratch/bodies" "8 bodies"
s0a=$(awk '$1 == "0a" { print $3 }' "$scratch/bodies" | sort -u)
s0b=$(awk '$1 == "0b" { print $3 }' "$scratch/bodies" | sort -u)
[ "$(echo "$s0a" | wc -l)" = 1 ] || fail "0a's shards have seeds $s0a"
[ "$(echo "$s0b" | wc -l)" = 1 ] || fail "0b's shards have seeds $s0b"
[ "$s0a" != "$s0b" ] || fail "0a and 0b share the seed $s0a"
[ "$(awk '$1 == "0a" { print $2 }' "$scratch/bodies" | sort | tr '\n' ' ')" \
	= "0/4 1/4 2/4 3/4 " ] || fail "0a's shards: $(cat "$scratch/bodies")"

# --- --split refused ------------------------------------------------------
for bad in 0 -1 x 1048577 ''; do
	"$FIND_HASH" --queue job --enqueue --split "$bad" 0a 2>"$scratch/err"
	expect_status 2 $? "--split '$bad'"
	expect_grep "split" "$scratch/err" "--split '$bad' named"
done
"$FIND_HASH" --queue job --split 2 2>"$scratch/err"
expect_status 2 $? "--split on a worker"
expect_grep "--split is for --enqueue" "$scratch/err" "worker --split"
queue_wait_counts job 5 "0 0" || fail "nothing enqueued by refused runs"

# --- poison shard bodies ----------------------------------------------------
long="abc 0/2 $(printf '%0200d' 7)"
for body in "abc 4/4 1" "abc 0/0 1" "abc 1/2" "abc 1/2 3 4" "abc x/2 3" \
	"abc 1/2 18446744073709551616" "abc 0/1099511627777 1" \
	"xyz 0/2 3" "$long"; do
	queue_publish job "$body"
	queue_wait_counts job 5 "1 0" || fail "'$body' ready"
	"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
	expect_status 4 $? "poison '$body'"
	expect_lines 1 "$scratch/err" "'$body': one line"
	expect_grep "poison message in queue 'job'.*rejected, not requeued" \
		"$scratch/err" "'$body' named"
	expect_lines 0 "$scratch/out" "'$body': nothing on stdout"
	queue_wait_counts job 5 "0 0" || fail "'$body' not requeued"
done
# the reasons say what is wrong
queue_publish job "abc 4/4 1"
"$FIND_HASH" --queue job 2>"$scratch/err"
expect_grep "I not less than N" "$scratch/err" "I >= N reason"
queue_publish job "abc 1/2 3 4"
"$FIND_HASH" --queue job 2>"$scratch/err"
expect_grep "more than 3 words" "$scratch/err" "extra word reason"
queue_publish job "$long"
"$FIND_HASH" --queue job 2>"$scratch/err"
expect_grep "at most 200 bytes" "$scratch/err" "too long reason"
# --- a shard searched to its end ----------------------------------------------
# shard 5 of 2^40 is 2^23 candidates; 16 digits are not among them (odds
# 2^23 / 2^64): the worker searches it all, acks it (searching it again
# would find nothing again) and exits 1
queue_publish job "0123456789abcdef 5/1099511627776 3"
"$FIND_HASH" --queue job --threads 1 >"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "exhausted shard"
expect_grep "0123456789abcdef: not found in this shard \\(shard 5/1099511627776, 8388608 tries\\); message acknowledged" \
	"$scratch/err" "exhausted shard named"
queue_wait_counts job 5 "0 0" || fail "exhausted shard acked, not requeued"

# a poison shard body never opened a notice queue
rmqctl list_queues name | grep -q '^amq\.gen' &&
	fail "notice queue left: $(rmqctl list_queues name)"
finish
