#!/bin/bash
# hardening-deleted: the input queue deleted (an operator's delete_queue, a
# redeploy that drops it) while a worker holds one of its messages.  The
# message is gone with the queue, and basic.get ties it to no consumer, so
# the broker says nothing: the worker used to search on, publish, have its
# ack accepted and exit 0, or, on SIGTERM, say "message requeued" with no
# queue to requeue to.  Now the worker notices within a few seconds, stops,
# says so in one line naming the queue and exits 3 (the queue is missing);
# SIGTERM after the deletion says the queue is gone and exits 143.
# Nothing is printed or published either way.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare results
# a 16-digit prefix: the worker searches until it is stopped
hard=0123456789abcdef

# start_holding QUEUE: a worker on a new QUEUE that holds its one
# message, the hard prefix; sets pid
start_holding() {
	queue_declare "$1"
	queue_publish "$1" $hard
	"$FIND_HASH" --queue "$1" --threads 1 --results-queue results \
		>"$scratch/out" 2>"$scratch/err" &
	pid=$!
	queue_wait_counts "$1" 30 "0 1" || fail "$1: the worker holds the message"
}

# --- deleted during the search: the worker stops by itself ------------------
start_holding job
rmqctl delete_queue job >/dev/null || fail "delete_queue job"
# a worker that searches on is killed here, and fails with 137
wait_bounded "$pid" 30
expect_status 3 $? "queue deleted during the search"
expect_grep "^find-hash: input queue 'job' was deleted: its messages are gone; prefix $hard abandoned\$" \
	"$scratch/err" "the line naming the queue"
expect_lines 1 "$scratch/err" "queue deleted: one line"
[ -s "$scratch/out" ] && fail "queue deleted: printed an answer"
queue_wait_counts results 15 "0 0" || fail "queue deleted: nothing published"

# --- deleted, then SIGTERM before the next check -----------------------------
# The worker is stopped (SIGSTOP) while the queue is deleted and the signal
# sent, so that no check of its own runs in between: the stop itself must
# find out that there is no queue to requeue to.
start_holding job2
kill -STOP "$pid"
rmqctl delete_queue job2 >/dev/null || fail "delete_queue job2"
kill -TERM "$pid"
kill -CONT "$pid"
wait_bounded "$pid" 30
expect_status 143 $? "SIGTERM after the queue was deleted"
expect_grep "^find-hash: stopped by signal 15 while solving prefix $hard; input queue 'job2' was deleted: its messages are gone\$" \
	"$scratch/err" "SIGTERM: says the queue is gone"
grep -q requeued "$scratch/err" && fail "SIGTERM: says 'requeued' with no queue"
expect_lines 1 "$scratch/err" "SIGTERM: one line"
[ -s "$scratch/out" ] && fail "SIGTERM: printed an answer"

# --- the queue still there: SIGTERM requeues as ever -------------------------
queue_declare job3
queue_publish job3 $hard
kill_holding_worker job3 TERM 6 "$scratch/out" "$scratch/err" "SIGTERM, queue kept" \
	--queue job3 --threads 1 --results-queue results
expect_status 143 $? "SIGTERM, queue kept"
expect_grep "^find-hash: stopped by signal 15 while solving prefix $hard; message requeued\$" \
	"$scratch/err" "SIGTERM, queue kept: requeued"
queue_wait_counts job3 15 "1 0" || fail "SIGTERM, queue kept: message requeued"
finish
