#!/bin/bash
# shards-stop: SIGTERM while a shard worker is still opening its second
# connection, the one for the solved notice, stops it as SIGTERM does
# anywhere else: exit 143 and the message given back, not exit 3 as for a
# broker error.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

queue_declare job
queue_publish job "0123456789abcdef0123 0/2 7"

# A proxy that relays one connection at a time: the worker's first
# connection goes through; its second is taken by the kernel's backlog
# and then gets no answer for as long as the first one lives.
PROXY_OPTS=max-children=1 proxy_start || fail "the proxy is not listening"
"$FIND_HASH" --queue job --url "amqp://guest:guest@127.0.0.1:$PROXY_PORT" \
	--connect-timeout 120 >"$scratch/out" 2>"$scratch/err" &
pid=$!
queue_wait_counts job 30 "0 1" || fail "the worker holds the message"

# Both connections established to the proxy (/proc/net/tcp: the remote
# address 127.0.0.1:PORT in hex, state 01): the worker is now waiting for
# the notice connection's AMQP answer.
port_hex=$(printf '%04X' "$PROXY_PORT")
for i in $(seq 300); do
	n=$(awk -v r="0100007F:$port_hex" '$3 == r && $4 == "01"' /proc/net/tcp | wc -l)
	[ "$n" -ge 2 ] && break
	sleep 0.1
done
[ "$n" -ge 2 ] || fail "the worker's second connection never reached the proxy ($n)"

kill -TERM "$pid"
wait_bounded "$pid" 30
expect_status 143 $? "SIGTERM while opening the notice connection"
expect_grep 'stopped by signal 15 while connecting' "$scratch/err" \
	"says the signal stopped the connection"
expect_grep 'message requeued' "$scratch/err" "says the message went back"
queue_wait_counts job 15 "1 0" || fail "the message is back in the queue"
[ -s "$scratch/out" ] && fail "printed something: $(cat "$scratch/out")"
finish
