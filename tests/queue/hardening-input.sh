#!/bin/bash
# hardening-input: what --enqueue and the worker read from the user.
# Prefixes on standard input that cannot all be read were taken for the
# end of the input: the prefixes before that line were enqueued, the
# ones after it dropped, status 0.  A line over 4096 bytes (/dev/zero)
# is now a bad prefix, status 2, read no further and nothing enqueued (it
# was read whole into memory, then status 5); a read error is status 5
# as with --offline -, not 2.
# --count and --heartbeat are decimal: popt read "--count 010" as octal,
# took 8 messages of 10, and made "--heartbeat 010" 8 seconds.
# SIGTERM or SIGINT while --url-file waits on a pipe whose writer is slow
# (--url-file <(...)) was "Interrupted system call", status 2: a stop,
# 143 or 130, as everywhere else.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job

# a line over 4096 bytes is a bad prefix (2), read no further: it was
# read whole into memory, and a 400 MB one was status 5
{ echo 0c; head -c 400000000 /dev/zero; echo; echo 0d; } |
	(ulimit -v 300000 || exit 99
	 exec "$FIND_HASH" --queue job --enqueue -) >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "--enqueue -: a 400 MB line"
expect_lines 1 "$scratch/err" "a 400 MB line: one line"
expect_grep "^find-hash: bad prefix \(standard input line 2\): the line is over 4096 bytes, longer than any prefix; nothing enqueued$" \
	"$scratch/err" "a 400 MB line: said"
queue_wait_counts job 15 "0 0" || fail "a 400 MB line: something was enqueued"
(ulimit -v 300000 || exit 99
 exec "$FIND_HASH" --queue job --enqueue - </dev/zero) >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "--enqueue - </dev/zero"
expect_grep "^find-hash: bad prefix \(standard input line 1\): the line is over 4096 bytes, longer than any prefix; nothing enqueued$" \
	"$scratch/err" "--enqueue - </dev/zero: said"
queue_wait_counts job 15 "0 0" || fail "--enqueue - </dev/zero: something was enqueued"

"$FIND_HASH" --queue job --enqueue - </ >"$scratch/out" 2>"$scratch/err"
expect_status 5 $? "--enqueue - from a directory"
expect_grep "^find-hash: reading standard input \(line 1\): Is a directory; nothing was enqueued$" \
	"$scratch/err" "--enqueue - from a directory: said"
queue_wait_counts job 15 "0 0" || fail "--enqueue - from a directory: something was enqueued"

# --count 010: ten messages, not eight
for p in 0 1 2 3 4 5 6 7 8 9; do queue_publish job "$p"; done
queue_wait_counts job 15 "10 0" || fail "ten prefixes in the queue"
"$FIND_HASH" --queue job --count 010 --threads 1 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--count 010"
expect_lines 10 "$scratch/out" "--count 010: ten answers"
queue_wait_counts job 15 "0 0" || fail "--count 010 left messages in the queue"

# --heartbeat 010: the connection's heartbeat is 10 s, not 8
queue_declare idle
"$FIND_HASH" --queue idle --wait 60 --heartbeat 010 >/dev/null 2>"$scratch/err" &
pid=$!
hb=$(broker_connections_wait timeout)
kill -TERM $pid
wait_bounded $pid 30
expect_status 143 $? "--heartbeat 010: stopped"
[ "$hb" = 10 ] || fail "--heartbeat 010: the connection's heartbeat is '$hb', expected 10"

# --url-file on a FIFO that we hold open and never write: the worker (and
# --enqueue) blocks reading it until the signal
mkfifo "$scratch/url-fifo"
exec 7<>"$scratch/url-fifo"
for sig in TERM INT; do
	for mode in worker enqueue; do
		if [ $mode = worker ]; then set -- --queue job
		else set -- --queue job --enqueue 0c; fi
		"$FIND_HASH" "$@" --url-file "$scratch/url-fifo" >/dev/null 2>"$scratch/err" &
		pid=$!
		# blocked in the read: the signal interrupts it, not something before it
		for i in $(seq 100); do
			grep -q pipe "/proc/$pid/wchan" 2>/dev/null && break
			sleep 0.1
		done
		kill -$sig $pid
		wait_bounded $pid 30
		st=$?
		[ $sig = TERM ] && want=143 || want=130
		expect_status $want $st "$mode: SIG$sig while reading --url-file"
		expect_lines 1 "$scratch/err" "$mode: SIG$sig while reading --url-file: one line"
		expect_grep "^find-hash: stopped by a signal while reading --url-file " \
			"$scratch/err" "$mode: SIG$sig while reading --url-file: said"
	done
done
exec 7>&-
queue_wait_counts job 15 "0 0" || fail "--url-file stops: something was enqueued"
finish
