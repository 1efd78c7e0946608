#!/bin/bash
# hardening-connect: a peer that accepts TCP and never speaks AMQP
# (a wrong port, a hung broker) holds a worker no longer than
# --connect-timeout, for the whole attempt (TCP, TLS, AMQP handshake,
# login); SIGTERM and SIGINT end it at once with 143 and 130 and one line.
# The bounds are generous: the point is 1 s against rabbitmq-c's own 12 s.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"    # wait_bounded only: no broker here
secret=S3cretPw

/usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    held.append(c)          # accepted, never written to, never closed
    open(sys.argv[1], "a").write("connection\n")
' "$scratch/connections" >"$scratch/port" 2>"$scratch/listener.err" &
listener=$!
stop_listener() { kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; }
cleanup_hooks="stop_listener $cleanup_hooks"
for i in $(seq 50); do [ -s "$scratch/port" ] && break; sleep 0.1; done
port=$(cat "$scratch/port")
[ -n "$port" ] || { echo "no listener: $(cat "$scratch/listener.err")" >&2; exit 99; }
url="amqp://guest:$secret@127.0.0.1:$port"

one_line() {
	expect_lines 1 "$scratch/err" "$1: one line"
	grep -q "$secret" "$scratch/err" "$scratch/out" &&
		fail "$1: the password was printed"
	[ -s "$scratch/out" ] && fail "$1: something on stdout"
}

# elapsed START: seconds since START (date +%s.%N), rounded up
elapsed() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { t = b - a; print (t == int(t)) ? t : int(t) + 1 }'
}

# --connect-timeout 1 bounds the whole attempt, for a worker and --enqueue
for mode in worker enqueue; do
	args=(--queue job --url "$url" --connect-timeout 1)
	[ $mode = enqueue ] && args+=(--enqueue abc)
	t0=$(date +%s.%N)
	"$FIND_HASH" "${args[@]}" >"$scratch/out" 2>"$scratch/err" &
	wait_bounded $! 20
	expect_status 3 $? "$mode: silent peer, --connect-timeout 1"
	took=$(elapsed "$t0")
	[ "$took" -le 6 ] || fail "$mode: --connect-timeout 1 took $took s"
	one_line "$mode: silent peer"
	expect_grep "^find-hash: cannot log in to amqp://guest:\*\*\*@127\.0\.0\.1:$port/: no AMQP answer within 1 s" \
		"$scratch/err" "$mode: silent peer: says so"
done

# the same over TLS (the TLS handshake is what hangs there)
t0=$(date +%s.%N)
"$FIND_HASH" --queue job --url "amqps://guest:$secret@127.0.0.1:$port" \
	--insecure --connect-timeout 1 >"$scratch/out" 2>"$scratch/err" &
wait_bounded $! 20
expect_status 3 $? "amqps: silent peer, --connect-timeout 1"
took=$(elapsed "$t0")
[ "$took" -le 8 ] || fail "amqps: --connect-timeout 1 took $took s"
one_line "amqps: silent peer"

# a signal during the handshake ends the run at once
for sig in TERM:143:15 INT:130:2; do
	IFS=: read -r name want num <<<"$sig"
	"$FIND_HASH" --queue job --url "$url" --connect-timeout 60 \
		>"$scratch/out" 2>"$scratch/err" &
	pid=$!
	sleep 1
	kill -"$name" $pid
	t0=$(date +%s.%N)
	wait_bounded $pid 20
	expect_status "$want" $? "SIG$name while connecting"
	took=$(elapsed "$t0")
	[ "$took" -le 3 ] || fail "SIG$name while connecting: ended $took s later"
	one_line "SIG$name while connecting"
	expect_grep "^find-hash: stopped by signal $num while connecting to amqp://guest:\*\*\*@" \
		"$scratch/err" "SIG$name while connecting: says so"
done

# the runs above did reach the silent peer
[ "$(wc -l <"$scratch/connections")" -ge 5 ] ||
	fail "the listener saw $(wc -l <"$scratch/connections") connections, expected 5 or more"
finish
