#!/bin/bash
# heartbeat: with the broker's heartbeat at 1 s, a search that lasts
# many intervals keeps its connection (the worker services it from the
# search loop): it still holds its message after the control below lost
# its connection, and the search ends in the worker's own clean give-up
# at --timeout (message requeued, status 1), not in a lost connection;
# where amqp-consume running a child for a few seconds loses its
# connection.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
BROKER_CONF_EXTRA='heartbeat = 1'
broker_start

# 16 hex digits: no search ends by itself within the test, so the search
# lasts until --timeout, 30 heartbeat intervals, however fast or loaded
# the machine.  (A search sized from a rate probe to last 15 s ended in
# 5 when the machine sped up after the probe.)
hard=0123456789abcdef
limit=30
queue_declare job
queue_publish job $hard
"$FIND_HASH" --queue job --threads 1 --timeout $limit \
	>"$scratch/out" 2>"$scratch/err" &
pid=$!
queue_wait_counts job 30 "0 1" || fail "the worker holds the message"

# The control, meanwhile: the amqp-consume pattern this mode replaces.  It
# asks for a 30 s heartbeat too but services nothing while its child runs:
# with the broker's 1 s it loses the connection and cannot ack.  (So the
# broker's heartbeat is in force, and the worker's connection that
# outlasts it is its own doing.)
queue_declare control
queue_publish control x
amqp-consume --url="$BROKER_URL" --heartbeat=30 -q control -c 1 sleep 6 \
	>/dev/null 2>&1 && fail "control: amqp-consume kept its connection"

# The worker has searched through the control's 6 s and more: it still
# runs, and holds its message, which the broker would have put back had
# it closed the worker's connection.
kill -0 $pid 2>/dev/null ||
	fail "the worker ended before the control did: $(cat "$scratch/err")"
[ "$(queue_counts job)" = "0 1" ] ||
	fail "the worker no longer holds its message: $(queue_counts job)"
queue_wait_counts control 15 "1 0" || fail "control: message not acked"

wait_bounded $pid $((limit + 60))
status=$?
cat "$scratch/err" >&2
expect_status 1 $status "worker through a search of $limit s"
expect_lines 1 "$scratch/err" "one line"
expect_grep "^find-hash: gave up on prefix $hard after [0-9]+ tries; message requeued\$" \
	"$scratch/err" "the search ended at --timeout, the connection up"
expect_lines 0 "$scratch/out" "no answer"
queue_wait_counts job 15 "1 0" || fail "the message requeued"
finish
