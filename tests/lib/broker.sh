# broker.sh: starts and stops a private RabbitMQ node for one queue test.
# Sourced by tests/queue/*.sh:
#
#   . "$top_srcdir/tests/lib/broker.sh"
#   BROKER_CONF_EXTRA='heartbeat = 1'     # optional rabbitmq.conf lines
#   BROKER_ADVANCED_RABBIT='{k, v}'       # optional rabbit app settings
#   broker_start                          # exports BROKER_URL, BROKER_PORT
#   ...                                   # broker_stop runs on exit
#
# Source it after tests/lib/test-env.sh: broker_stop then joins its cleanup.
#
# Each test script gets its own node (name, ports, data, logs, HOME and so
# its own Erlang cookie), so the Automake harness can run them in parallel
# and a test never sees another's queues.  The node runs as the invoking
# user (root in CI), which is why the plain rabbitmq-server script is used
# and not the rabbitmq-script-wrapper that switches to the rabbitmq user.

RMQ_SERVER=${RMQ_SERVER:-/usr/lib/rabbitmq/bin/rabbitmq-server}
RMQ_CTL=${RMQ_CTL:-/usr/lib/rabbitmq/bin/rabbitmqctl}
BROKER_DIR=
BROKER_PID=
BROKER_NODE=
EPMD_PID=

broker_fail() {
	echo "broker.sh: $*" >&2
	exit 99    # a hard error for the harness: never a skip or a pass
}

# A TCP port nobody listens on (bash's /dev/tcp connect fails).
broker_port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Picks 10 consecutive free ports: AMQP, Erlang distribution, the range
# rabbitmqctl's own short-lived node listens on (by default 35672..35682
# for every rabbitmqctl on the machine, which parallel tests would share:
# here +2..+6), this node's own epmd (+7), AMQPS (+8, see broker_tls) and
# one kept closed (+9).  All below 32768, where Linux's ephemeral range
# starts (ip_local_port_range, 32768..60999 by default): there, any
# outgoing connection of a parallel test (rabbitmqctl, a worker) could
# take the port between the check here and the node's bind (eaddrinuse).
broker_pick_ports() {
	local base try i ok
	base=$(( 20000 + ($$ % 1270) * 10 ))
	for try in $(seq 0 50); do
		ok=1
		for i in 0 1 2 3 4 5 6 7 8 9; do
			broker_port_free $((base + i)) || { ok=0; break; }
		done
		if [ $ok = 1 ]; then
			BROKER_PORT=$base
			return 0
		fi
		base=$(( 20000 + ((base - 20000 + 10 * 37) % 12700) ))
	done
	broker_fail "no free ports for a test broker"
}

# BROKER_TLS=1 before broker_start: a CA, a server certificate for the DNS
# name localhost, a client certificate, and an AMQPS listener on
# BROKER_TLS_PORT that asks for a client certificate but does not require
# one (BROKER_TLS=require: requires it).  Files in $BROKER_DIR/tls.
broker_tls() {
	local d="$BROKER_DIR/tls"
	mkdir -p "$d"
	BROKER_TLS_PORT=$((BROKER_PORT + 8))
	BROKER_TLS_DIR=$d
	(
	cd "$d" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=fh-test-ca \
		-keyout ca.key -out ca.pem
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
		-keyout server.key -out server.csr
	printf 'subjectAltName=DNS:localhost\n' >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days 2 -extfile server.ext -out server.pem
	openssl req -newkey rsa:2048 -nodes -subj /CN=fh-test-client \
		-keyout client.key -out client.csr
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days 2 -out client.pem
	# a second CA that signed nothing here
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other \
		-keyout other.key -out other.pem
	) >"$d/openssl.log" 2>&1 || broker_fail "openssl failed: $(cat "$d/openssl.log")"
	# ssl_handshake_timeout: the node's 5 s default, which a loaded CI
	# machine can exceed (seen: every TLS login "a SSL error occurred" in
	# a fresh Debian 13 root beside another full test run); the node then
	# drops the handshake the client believed complete
	BROKER_CONF_EXTRA="${BROKER_CONF_EXTRA:-}
ssl_handshake_timeout = 60000
listeners.ssl.1 = 127.0.0.1:$BROKER_TLS_PORT
ssl_options.cacertfile = $d/ca.pem
ssl_options.certfile = $d/server.pem
ssl_options.keyfile = $d/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = $([ "$BROKER_TLS" = require ] && echo true || echo false)"
}

# rabbitmqctl against this test's node.
rmqctl() {
	HOME="$BROKER_DIR/home" "$RMQ_CTL" -n "$BROKER_NODE" -q "$@"
}

broker_start() {
	[ -x "$RMQ_SERVER" ] ||
		broker_fail "$RMQ_SERVER not found: install rabbitmq-server"
	command -v amqp-publish >/dev/null ||
		broker_fail "amqp-publish not found: install amqp-tools"
	BROKER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fh-broker.XXXXXX") ||
		broker_fail "mktemp failed"
	# Stop the node on any exit, failures included: through test-env.sh's
	# cleanup hooks when the test uses it, else a trap of our own.
	if [ -n "${cleanup_hooks+set}" ]; then
		cleanup_hooks="broker_stop $cleanup_hooks"
	else
		trap broker_stop EXIT
		trap 'exit 1' HUP INT TERM
	fi
	mkdir -p "$BROKER_DIR/home" "$BROKER_DIR/mnesia" "$BROKER_DIR/log"
	# The Erlang cookie, written before anything starts: left to them,
	# the node and the first rabbitmqctl can each create one at the same
	# moment, and every later rabbitmqctl is then refused ("Invalid
	# challenge reply").
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$BROKER_DIR/home/.erlang.cookie"
	chmod 400 "$BROKER_DIR/home/.erlang.cookie"
	broker_pick_ports
	BROKER_NODE="fh-test-$$-$BROKER_PORT@localhost"
	[ -n "${BROKER_TLS:-}" ] && broker_tls
	cat > "$BROKER_DIR/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$BROKER_PORT
loopback_users = none
log.console = false
log.file.level = info
${BROKER_CONF_EXTRA:-}
CONF
	echo '[].' > "$BROKER_DIR/enabled_plugins"
	# Settings rabbitmq.conf has no key for (channel_tick_interval, which
	# says how often consumer_timeout is checked) go to advanced.config.
	echo "[{rabbit, [${BROKER_ADVANCED_RABBIT:-}]}]." \
		> "$BROKER_DIR/advanced.config"
	export RABBITMQ_CTL_DIST_PORT_MIN=$((BROKER_PORT + 2))
	export RABBITMQ_CTL_DIST_PORT_MAX=$((BROKER_PORT + 6))
	# An epmd of its own, on its own port, for the node and rabbitmqctl
	# alike: left to itself the node starts a daemon epmd on 4369 that
	# outlives the test, and killing a shared one would break the tests
	# running beside this one.
	export ERL_EPMD_PORT=$((BROKER_PORT + 7))
	setsid epmd -port "$ERL_EPMD_PORT" -address 127.0.0.1 \
		>"$BROKER_DIR/epmd.out" 2>&1 &
	EPMD_PID=$!
	local i
	for i in $(seq 50); do
		broker_port_free "$ERL_EPMD_PORT" || break
		sleep 0.1
	done
	HOME="$BROKER_DIR/home" \
	RABBITMQ_NODENAME="$BROKER_NODE" \
	RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
	RABBITMQ_NODE_PORT="$BROKER_PORT" \
	RABBITMQ_DIST_PORT=$((BROKER_PORT + 1)) \
	RABBITMQ_MNESIA_BASE="$BROKER_DIR/mnesia" \
	RABBITMQ_LOG_BASE="$BROKER_DIR/log" \
	RABBITMQ_CONFIG_FILE="$BROKER_DIR/rabbitmq.conf" \
	RABBITMQ_ADVANCED_CONFIG_FILE="$BROKER_DIR/advanced.config" \
	RABBITMQ_ENABLED_PLUGINS_FILE="$BROKER_DIR/enabled_plugins" \
	RABBITMQ_PID_FILE="$BROKER_DIR/pid" \
	setsid "$RMQ_SERVER" > "$BROKER_DIR/server.out" 2>&1 &
	BROKER_PID=$!
	# "wait PIDFILE" first waits for the node to write its pid file, then
	# for the rabbit application: await_startup alone fails at once while
	# the node is not yet registered with epmd.
	if ! rmqctl --timeout 90 wait "$BROKER_DIR/pid" \
		> "$BROKER_DIR/await.out" 2>&1
	then
		cat "$BROKER_DIR/await.out" "$BROKER_DIR/server.out" >&2
		tail -n 30 "$BROKER_DIR"/log/*.log >&2 2>/dev/null
		broker_fail "the test broker did not start"
	fi
	# No trailing slash: amqp-tools read "host/" as the empty vhost.
	BROKER_URL="amqp://guest:guest@127.0.0.1:$BROKER_PORT"
	export BROKER_URL BROKER_PORT
}

# Stops the node this script started (and only it), then removes its files.
broker_stop() {
	local status=$?
	if [ -n "$BROKER_PID" ]; then
		# Its data dies with it, so there is nothing to shut down
		# gracefully: kill the whole session setsid gave the server
		# script, the Erlang VM and its helpers, so none outlives
		# the test.
		kill -KILL -- "-$BROKER_PID" 2>/dev/null
		wait "$BROKER_PID" 2>/dev/null
		BROKER_PID=
	fi
	if [ -n "$EPMD_PID" ]; then
		kill -KILL -- "-$EPMD_PID" 2>/dev/null
		wait "$EPMD_PID" 2>/dev/null
		EPMD_PID=
	fi
	[ -n "$BROKER_DIR" ] && rm -rf "$BROKER_DIR"
	BROKER_DIR=
	return $status
}

# Queue helpers (amqp-tools take the broker from --url).
queue_declare() {        # NAME: a durable classic queue
	amqp-declare-queue --url="$BROKER_URL" -d -q "$1" >/dev/null
}
queue_publish() {        # NAME BODY: a persistent message
	amqp-publish --url="$BROKER_URL" -p -r "$1" -b "$2"
}
queue_publish_stdin() {  # NAME < BODY: any bytes, NULs included
	amqp-publish --url="$BROKER_URL" -p -r "$1"
}
# ready and unacknowledged counts: "READY UNACKED"
queue_counts() {
	rmqctl list_queues name messages_ready messages_unacknowledged |
		awk -v q="$1" '$1 == q { print $2, $3; f = 1 }
			       END { if (!f) print "missing" }'
}
# Waits up to $2 seconds (default 10) for queue $1 to show counts $3.
# A deadline, not a number of tries: on a loaded machine one rabbitmqctl
# call alone can take seconds.
queue_wait_counts() {
	local end=$((SECONDS + ${2:-10})) got
	while :; do
		got=$(queue_counts "$1")
		[ "$got" = "$3" ] && return 0
		[ $SECONDS -ge $end ] && break
		sleep 0.2
	done
	echo "queue $1: counts '$got', wanted '$3'" >&2
	return 1
}
# Takes one message body from queue $1 onto stdout (nothing if empty).
queue_get() {
	amqp-get --url="$BROKER_URL" -q "$1" 2>/dev/null
}
# The broker's client connections, one line each with the given columns
# (list_connections prints nothing at all under -q in 3.10: drop its
# "Listing" and header lines instead).
broker_connections() {
	HOME="$BROKER_DIR/home" "$RMQ_CTL" -n "$BROKER_NODE" \
		list_connections "$@" | sed -n '/^Listing /d; 1,2{/^'"$1"'/d}; p'
}
# The same, asking again while the listing is empty: on a loaded machine
# list_connections now and then leaves out a connection that is there.
broker_connections_wait() {
	local i out
	for i in $(seq 10); do
		out=$(broker_connections "$@")
		[ -n "$out" ] && break
		sleep 0.5
	done
	printf '%s\n' "$out"
}
# wait_bounded PID SECONDS: waits for a background worker and returns its
# exit status; one still running after SECONDS is killed (status 137), so
# a worker that never ends fails its test instead of hanging it.
wait_bounded() {
	local i state
	for i in $(seq $(( $2 * 10 ))); do
		state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && break
		sleep 0.1
	done
	[ "$state" = Z ] || [ -z "$state" ] || {
		echo "pid $1 still running after $2 s: killed" >&2
		kill -KILL "$1" 2>/dev/null
	}
	wait "$1"
}
# kill_holding_worker QUEUE SIGNAL SECONDS OUT ERR WHAT ARG...: the
# worker killed while it holds the message.  Starts "$FIND_HASH ARG..." in
# the background (stdout to OUT, stderr to ERR), waits until it holds the
# one message of QUEUE (counts "0 1"; a failure WHAT says when it never
# does), lets it search SECONDS more, sends SIGNAL (KILL, TERM, INT...)
# and waits for it with wait_bounded.  Returns the worker's exit status;
# STOP_SECONDS is how long it took to end after the signal.  Needs
# test-env.sh (fail).
kill_holding_worker() {
	local queue=$1 sig=$2 settle=$3 out=$4 err=$5 what=$6 pid start st
	shift 6
	"$FIND_HASH" "$@" >"$out" 2>"$err" &
	pid=$!
	queue_wait_counts "$queue" 30 "0 1" ||
		fail "$what: the worker holds the message"
	sleep "$settle"
	start=$(date +%s)
	kill -"$sig" "$pid"
	wait_bounded "$pid" 30
	st=$?
	STOP_SECONDS=$(( $(date +%s) - start ))
	return $st
}

# The socat proxy: a TCP relay from PROXY_PORT to the broker, for tests
# that cut the network between a client and the broker.  proxy_freeze
# stops it (SIGSTOP: every connection hangs, nothing is closed),
# proxy_thaw lets it go on, proxy_stop kills it (every connection through
# it dropped; proxy_start brings it back on the same port).  It stops on
# exit with the broker.  PROXY_OPTS adds socat options to its listening
# side (max-children=1: one connection relayed at a time, the next ones
# left waiting in the kernel's backlog, connected but unanswered).
PROXY_PID=
PROXY_PORT=
# A free port for the proxy, below the brokers' ranges and, like them,
# below the ephemeral range.
proxy_pick_port() {
	local p=$(( 10000 + ($$ % 500) * 20 )) i
	for i in $(seq 200); do
		broker_port_free "$p" && { PROXY_PORT=$p; return; }
		p=$(( 10000 + (p - 10000 + 37) % 10000 ))
	done
	broker_fail "no free port for the proxy"
}
# proxy_start [PORT]: listens on PORT, else on PROXY_PORT, else on a free
# port it picks; returns 1 when it is not listening after 10 s.
proxy_start() {
	local i
	command -v socat >/dev/null || broker_fail "socat not found: install socat"
	[ -n "${1:-}" ] && PROXY_PORT=$1
	[ -n "$PROXY_PORT" ] || proxy_pick_port
	case " ${cleanup_hooks-} " in
	*" proxy_stop "*) ;;
	*) cleanup_hooks="proxy_stop $cleanup_hooks" ;;
	esac
	setsid socat TCP-LISTEN:"$PROXY_PORT",bind=127.0.0.1,fork,reuseaddr${PROXY_OPTS:+,$PROXY_OPTS} \
		TCP:127.0.0.1:"$BROKER_PORT" >/dev/null 2>&1 &
	PROXY_PID=$!
	for i in $(seq 100); do
		broker_port_free "$PROXY_PORT" || return 0
		sleep 0.1
	done
	return 1
}
proxy_freeze() {
	kill -STOP -- "-$PROXY_PID"
}
proxy_thaw() {
	kill -CONT -- "-$PROXY_PID"
}
proxy_stop() {
	[ -n "$PROXY_PID" ] || return 0
	kill -CONT -- "-$PROXY_PID" 2>/dev/null
	kill -KILL -- "-$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=
}

# probe_time TRIES: the seconds one thread takes for TRIES candidates.
probe_time() {
	local t0 t1
	t0=$(date +%s.%N)
	"$FIND_HASH" --offline --threads 1 --max-tries "$1" \
		0123456789abcdef0123 >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}

# slow_prefix SEED SECONDS: sets SLOW_PREFIX to a prefix that a worker
# run with --seed SEED --threads 1 takes about SECONDS to solve, and
# SLOW_STRING to the answer it must find.  With a seed the candidates are
# fixed (a 36-character base, then the counter as 16 letters 'A' +
# nibble) and the engine returns the lowest matching counter; so take the
# candidate at counter N, whose 12-digit digest prefix no earlier counter
# is likely to share (odds N / 2^48): the worker must hash N candidates.
#
# SECONDS is a size, not a time: the machine's speed changes under other
# work, so the search can end in a third of it (probed under load that
# then went away) or take many times it (load that came after).  A caller
# must never race it against a fixed delay or a rabbitmqctl poll, and must
# pass whatever it takes within a window many times wider: as
# hardening-redeclared.sh, which needs a search of 4 s to outlast the
# first queue check, 0.2 s in, and to end within the 120 s it is held.
# A test that only needs a search still going uses a 16-digit prefix
# instead, one that needs a known point a hold (hold-calls.c).
slow_prefix() {
	local base t n tries best i
	base=$(seed_base "$1") || broker_fail "offline probe failed"
	# the hash rate of one thread: the time of a fixed number of tries,
	# enough of them to take half a second whatever the kernel
	tries=4000000
	while :; do
		t=$(probe_time "$tries")
		awk -v t="$t" 'BEGIN { exit !(t < 0.5) }' &&
			[ "$tries" -lt 4000000000 ] || break
		tries=$((tries * 10))
	done
	# the fastest of three: a probe slowed by other work on the machine
	# would make the search too short for the test (it has been solved
	# before a test could see the message taken)
	best=$t
	for i in 1 2; do
		t=$(probe_time "$tries")
		best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
	done
	n=$(awk -v s="$best" -v t="$tries" -v want="$2" \
		'BEGIN { printf "%.0f", t / s * want }')
	SLOW_STRING=$(candidate_at "$base" "$n")
	SLOW_PREFIX=$(printf %s "$SLOW_STRING" | sha256sum | cut -c1-12)
}
