#!/bin/bash
# hardening-nofile: a worker that runs out of file descriptors has a
# system error (status 5, the errno's words), not a broker or network one
# (3, "a socket error occurred"), and does not try again for
# --connect-timeout: no descriptor comes back by waiting.  The message
# goes back to the queue.
#
# A shard message makes the worker open a second connection, for the
# solved notice; the limit is set so that its first connection takes the
# last descriptor there is.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

queue_declare job
queue_publish job "0ce 0/2 777"

start=$(date +%s)
(
	# the lowest free descriptor (whatever the harness left open
	# above stays open, and is no new descriptor): the limit lets the
	# loader and then the first connection have it, and nothing more
	n=3
	while [ -L "/proc/$BASHPID/fd/$n" ]; do n=$((n + 1)); done
	ulimit -n $((n + 1)) || exit 99
	exec "$FIND_HASH" --queue job --connect-timeout 60
) >"$scratch/out" 2>"$scratch/err"
st=$?
cat "$scratch/err" >&2
[ "$st" = 127 ] && fail "the worker did not even load: $(cat "$scratch/err")"
expect_status 5 "$st" "out of descriptors"
expect_grep "^find-hash: cannot connect to amqp://guest:\*\*\*@127\.0\.0\.1:$BROKER_PORT/: Too many open files$" \
	"$scratch/err" "says why, as the system does"
expect_grep "no connection for the solved notice; message requeued" \
	"$scratch/err" "says that the message went back"
grep -q "socket error" "$scratch/err" && fail "called a broker error"
grep -q "gave up after" "$scratch/err" && fail "tried again"
[ $(( $(date +%s) - start )) -le 30 ] ||
	fail "took $(( $(date +%s) - start )) s: tried again for --connect-timeout?"
[ -s "$scratch/out" ] && fail "printed something: $(cat "$scratch/out")"
queue_wait_counts job 15 "1 0" || fail "the message is back in the queue"
finish
