#!/bin/bash
# shards-kill: no shard is lost.  A shard worker killed with SIGKILL
# mid-search acknowledged nothing, announced nothing and left no marker:
# its shard is ready again, and the next worker searches it (noting the
# redelivery) and finds the answer that lies in it.  A shard worker
# stopped by SIGTERM gives its shard back as well, with status 143.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

queue_declare job
queue_declare results

# A 12-digit prefix whose first match in shard 1 of 2 (seed 11) is the
# candidate at counter 2^62 + n, n about 12 s of one thread's hashing: the
# worker must search that long, in that shard, to find it.
seed=11
base=$(seed_base $seed)
t0=$(date +%s.%N)
"$FIND_HASH" --offline --threads 1 --max-tries 20000000 \
	0123456789abcdef0123 >/dev/null 2>&1
t1=$(date +%s.%N)
n=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", 20000000 / (b - a) * 12 }')
answer=$(candidate_at "$base" $(((1 << 62) + n)))
prefix=$(printf %s "$answer" | sha256sum | cut -c1-12)

queue_publish job "$prefix 1/2 $seed"
# Worker A is killed at a known point mid-search: held (hold-calls.c) at
# the first check of its input queue that it sends from the search loop,
# 0.2 s in, the first queue.declare of "job" after the one it checks the
# queue with before taking anything.  Held there, it can neither answer
# nor acknowledge, however fast the search.  (It was killed 2 s after it
# started, which a machine faster than its probe made a race.)
hold_setup
for i in $(seq 100); do go "get-$i"; done
go declare-1
FH_HOLD_DIR=$hold FH_HOLD_QUEUE=job LD_PRELOAD=$preload \
	"$FIND_HASH" --queue job --threads 1 --results-queue results \
	>"$scratch/outA" 2>"$scratch/errA" &
pidA=$!
pid=$pidA
held declare-2 ||
	fail "worker A never checked its queue mid-search: $(cat "$scratch/errA")"
[ "$(queue_counts job)" = "0 1" ] || fail "worker A holds the shard"
kill -KILL $pidA
wait_bounded $pidA 30
expect_status 137 $? "killed shard worker"
expect_lines 0 "$scratch/outA" "killed worker printed nothing"
queue_wait_counts job 10 "1 0" || fail "the shard is ready again"
queue_wait_counts results 2 "0 0" || fail "no result from a killed worker"
[ "$(queue_counts "find-hash.solved.$prefix.$seed")" = missing ] ||
	fail "a killed worker left a solved marker"
# its notice queue was exclusive: it went with the connection
for i in $(seq 50); do
	rmqctl list_queues name | grep -q '^amq\.gen' || break
	sleep 0.2
done
rmqctl list_queues name | grep -q '^amq\.gen' &&
	fail "notice queue outlived its worker: $(rmqctl list_queues name)"

# The next worker gets the same shard and searches it to the answer.
"$FIND_HASH" --queue job --threads 2 --results-queue results \
	>"$scratch/outB" 2>"$scratch/errB"
expect_status 0 $? "next worker"
expect_grep "prefix $prefix was delivered before" "$scratch/errB" \
	"redelivery noted"
read -r string digest <"$scratch/outB"
check_answer "$prefix" "$string" "$digest"
[ "$string" = "$answer" ] ||
	fail "answer $string, expected the one in shard 1/2: $answer"
queue_wait_counts job 5 "0 0" || fail "the shard is acked"
queue_wait_counts results 5 "1 0" || fail "one result"
[ "$(queue_counts "find-hash.solved.$prefix.$seed")" = "0 0" ] ||
	fail "the solver made no marker"

# SIGTERM: the shard goes back at once, the pod says it was stopped.  (Another
# seed: the job above is solved, and its marker would ack the shard.)
queue_publish job "$prefix 0/2 $((seed + 1))"
kill_holding_worker job TERM 1 "$scratch/outC" "$scratch/errC" "worker C" \
	--queue job --threads 1
expect_status 143 $? "shard worker stopped by SIGTERM"
expect_grep "message requeued" "$scratch/errC" "SIGTERM requeues"
queue_wait_counts job 10 "1 0" || fail "SIGTERM gave the shard back"
finish
