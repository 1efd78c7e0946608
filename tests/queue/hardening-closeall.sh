#!/bin/bash
# hardening-closeall: a shard worker has two connections (the work one and
# the solved notice's).  When the broker closes both (an operator's
# close_all_connections, a node stopping), the worker stops with status 3
# and one line, the shard back in the queue.  It used to say first that
# the notice connection was lost and it was "searching on without early
# stop", which was false a moment later: two lines, the first a wrong one.
# When only the notice connection goes, the worker does search on, and
# says so once.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job

# a 16-digit prefix in 2 shards: the worker searches until stopped
"$FIND_HASH" --queue job --enqueue --split 2 --seed 5 0123456789abcdef \
	2>"$scratch/enq"
expect_status 0 $? "enqueue --split 2"

# start_worker: a shard worker that holds a shard and listens for its
# notice (two connections); sets pid
start_worker() {
	"$FIND_HASH" --queue job --threads 1 --quiet >"$scratch/out" \
		2>"$scratch/err" &
	pid=$!
	queue_wait_counts job 30 "1 1" || fail "the worker holds a shard"
	for i in $(seq 60); do
		[ "$(broker_connections pid | grep -c .)" = 2 ] && return
		sleep 0.5
	done
	fail "the worker has not two connections"
}

# --- both connections closed, three times (which the broker closes
# first is its choice) ------------------------------------------------------------
for round in 1 2 3; do
	start_worker
	rmqctl close_all_connections "test closes all" >/dev/null ||
		fail "close_all_connections"
	wait_bounded $pid 30
	expect_status 3 $? "round $round: both connections closed"
	expect_lines 1 "$scratch/err" "round $round: one line"
	expect_grep "while solving prefix 0123456789abcdef: .*CONNECTION_FORCED - test closes all; the broker requeues the message" \
		"$scratch/err" "round $round: says why, and what becomes of the shard"
	grep -q "searching on" "$scratch/err" &&
		fail "round $round: said it searches on, and stopped"
	[ -s "$scratch/out" ] && fail "round $round: something on stdout"
	queue_wait_counts job 15 "2 0" || fail "round $round: the shard is back"
done

# --- only the notice connection closed: the search goes on ----------------------
start_worker
# the notice connection is the later one
notice=$(broker_connections pid connected_at | sort -k2 -n | tail -n 1 |
	awk '{ print $1 }')
rmqctl close_connection "$notice" "test closes the notice" >/dev/null ||
	fail "close_connection (notice)"
for i in $(seq 100); do
	grep -q "searching on" "$scratch/err" && break
	sleep 0.1
done
kill -0 $pid 2>/dev/null || fail "the worker ended when its notice connection was closed"
kill -TERM $pid
wait_bounded $pid 30
expect_status 143 $? "notice closed, then SIGTERM"
expect_lines 2 "$scratch/err" "notice closed, then SIGTERM: two lines"
n=$(grep -c "solved notice: the broker closed the connection: 320 CONNECTION_FORCED - test closes the notice; searching on without early stop" "$scratch/err")
[ "$n" = 1 ] || fail "the lost notice connection was said $n times, expected once"
expect_grep "stopped by signal 15 while solving prefix 0123456789abcdef; message requeued" \
	"$scratch/err" "the search went on until the signal"
queue_wait_counts job 15 "2 0" || fail "after SIGTERM: the shard is back"
finish
