#!/bin/bash
# heartbeat: with the broker's heartbeat at 1 s, a search that lasts
# many intervals keeps its connection (the worker services it from the
# search loop): it still holds its message after the control below lost
# its connection to the same heartbeat, and once stopped (SIGTERM) it
# gives the message back itself, status 143; where amqp-consume running a
# child for a few seconds loses its connection.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
BROKER_CONF_EXTRA='heartbeat = 1'
broker_start

# 16 hex digits: no search ends by itself within the test, so the search
# lasts as long as the test needs, many heartbeat intervals, however fast
# or loaded the machine.  (A search sized from a rate probe to last 15 s
# ended in 5 when the machine sped up after the probe; and a --timeout
# end can come before a loaded test has looked.)
hard=0123456789abcdef
queue_declare job
queue_publish job $hard
"$FIND_HASH" --queue job --threads 1 >"$scratch/out" 2>"$scratch/err" &
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

kill -TERM $pid
wait_bounded $pid 60
status=$?
cat "$scratch/err" >&2
expect_status 143 $status "worker stopped after a long search"
expect_lines 1 "$scratch/err" "one line"
expect_grep "^find-hash: stopped by signal 15 while solving prefix $hard; message requeued\$" \
	"$scratch/err" "the worker gave its message back"
expect_lines 0 "$scratch/out" "no answer"
queue_wait_counts job 15 "1 0" || fail "the message requeued"
finish
