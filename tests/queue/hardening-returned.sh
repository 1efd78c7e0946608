#!/bin/bash
# hardening-returned: a message the broker returns as unroutable (basic.
# return, 312 NO_ROUTE: its queue is gone) is in no queue, and is said to
# be.  --enqueue reported it "unconfirmed (perhaps in the queue)", which
# sends whoever reruns it to look for it in a queue that does not exist.
# The helper (hold-calls.c) holds each basic.publish until the test lets
# it go, so that the queue is deleted at a known point: after the first
# prefix is in it, before the second is published.  (The worker's result
# returned the same way: tests/queue/results.sh.)
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
hold_setup

# the queue.declare calls the helper also holds pass at once
go_declares() { local n; for n in 1 2 3; do go declare-$n; done; }

# --enqueue: 0a goes into the queue, which is then deleted; 0b and 0c
# come back
queue_declare job
go_declares
FH_HOLD_DIR=$hold FH_HOLD_PUBLISH=1 LD_PRELOAD=$preload \
	"$FIND_HASH" --queue job --enqueue 0a 0b 0c >"$scratch/out" 2>"$scratch/err" &
pid=$!
held publish-1 || fail "--enqueue never published: $(cat "$scratch/err")"
go publish-1
held publish-2 || fail "--enqueue never published the second: $(cat "$scratch/err")"
queue_wait_counts job 30 "1 0" || fail "the first prefix is in the queue"
rmqctl delete_queue job >/dev/null || fail "delete_queue"
go publish-2
go publish-3
wait_bounded "$pid" 60
expect_status 3 $? "--enqueue to a queue deleted on the way"
expect_lines 1 "$scratch/err" "--enqueue to a queue deleted on the way: one line"
expect_grep "^find-hash: queue 'job' does not exist: the broker returned 2 messages as unroutable \(312 NO_ROUTE\), in no queue \(1 of 3 prefixes confirmed\): confirmed: 0a; returned, in no queue: 0b 0c\$" \
	"$scratch/err" "--enqueue to a queue deleted on the way: said"
grep -q "perhaps in the queue" "$scratch/err" &&
	fail "--enqueue: a returned message said to be perhaps in the queue"

finish
