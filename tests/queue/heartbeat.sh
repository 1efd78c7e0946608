#!/bin/bash
# heartbeat: with the broker's heartbeat at 1 s, a search that lasts
# many intervals keeps its connection (the worker services it from the
# search loop) and ends in a clean acknowledgement, where amqp-consume
# running a child for a few seconds loses its connection.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
BROKER_CONF_EXTRA='heartbeat = 1'
broker_start

# A search of known length (see slow_prefix): 15 s on one thread, 15
# heartbeat intervals.
seed=4242
slow_prefix $seed 15
cand=$SLOW_STRING
prefix=$SLOW_PREFIX

queue_declare job
queue_publish job "$prefix"
start=$(date +%s.%N)
"$FIND_HASH" --queue job --seed $seed --threads 1 --results-queue results \
	>"$scratch/out" 2>"$scratch/err" &
pid=$!
# (the control runs while the worker searches; whether it started yet
# does not matter for what is checked)
queue_wait_counts job 30 "0 1"

# The control, meanwhile: the amqp-consume pattern this mode replaces.  It
# asks for a 30 s heartbeat too but services nothing while its child runs:
# with the broker's 1 s it loses the connection and cannot ack.  (So the
# broker's heartbeat is in force, and the worker's clean end below is its
# own doing.)
queue_declare control
queue_publish control x
amqp-consume --url="$BROKER_URL" --heartbeat=30 -q control -c 1 sleep 6 \
	>/dev/null 2>&1 && fail "control: amqp-consume kept its connection"
queue_wait_counts control 15 "1 0" || fail "control: message not acked"

wait_bounded $pid 600
status=$?
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "searched for $secs s with a 1 s heartbeat"
cat "$scratch/err" >&2
expect_status 0 $status "worker through a long search"
awk -v s="$secs" 'BEGIN { exit !(s >= 5) }' ||
	fail "the search took $secs s, not the 5+ heartbeat intervals meant"
read -r string digest rest <"$scratch/out"
check_answer "$prefix" "$string" "$digest"
[ "$string" = "$cand" ] || fail "answer $string, expected the candidate $cand"
queue_wait_counts job 15 "0 0" || fail "acknowledged: queue empty"
queue_wait_counts results 15 "1 0" || fail "result confirmed"
finish
