#!/bin/bash
# results: the input is acknowledged only once the broker confirmed
# the result.  A result the broker cannot route (the results queue deleted
# after the worker declared it: basic.return) or refuses (a full queue with
# overflow reject-publish: basic.nack) fails the worker with exit 3 and
# one line, and the input goes back to the queue.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job

# returned: the results queue disappears after the worker declared it
# (the worker waits on an empty queue meanwhile), then a prefix arrives
"$FIND_HASH" --queue job --wait 120 --results-queue results \
	>"$scratch/out" 2>"$scratch/err" &
pid=$!
queue_wait_counts results 30 "0 0" || fail "the worker declares the results queue"
amqp-delete-queue --url="$BROKER_URL" -q results >/dev/null ||
	fail "delete the results queue"
queue_publish job 0ce
wait_bounded $pid 120
expect_status 3 $? "unroutable result"
expect_lines 1 "$scratch/err" "unroutable: one line"
expect_grep "^find-hash: result for prefix 0ce not confirmed: queue 'results' does not exist: the broker returned 1 message as unroutable \(312 NO_ROUTE\), in no queue; message requeued\$" \
	"$scratch/err" "unroutable: says why: in no queue"
queue_wait_counts job 10 "1 0" || fail "unroutable: input requeued"
# stdout had the answer: printing comes first, so the pod's log shows it
read -r string digest rest <"$scratch/out"
check_answer 0ce "$string" "$digest"

# nacked: the results queue is full and rejects publishes
queue_declare full
rmqctl set_policy full '^full$' '{"max-length":1,"overflow":"reject-publish"}' \
	--apply-to queues >/dev/null || fail "set the max-length policy"
queue_publish full filler
queue_wait_counts full 15 "1 0" || fail "results queue full"
"$FIND_HASH" --queue job --quiet --results-queue full >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "nacked result"
expect_lines 1 "$scratch/err" "nacked: one line"
expect_grep "not confirmed: the broker refused" "$scratch/err" "nacked: says why"
queue_wait_counts job 15 "1 0" || fail "nacked: input requeued"

# and when the results queue takes it, the input is acknowledged
"$FIND_HASH" --queue job --results-queue results >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "confirmed result"
queue_wait_counts job 15 "0 0" || fail "confirmed: input acknowledged"
queue_wait_counts results 15 "1 0" || fail "confirmed: result there"
finish
