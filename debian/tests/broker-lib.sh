# broker-lib.sh: start a private RabbitMQ node for one autopkgtest and stop
# it again.  Sourced by the tests in this directory.
#
# The node runs as the calling user from /usr/lib/rabbitmq/bin (the
# /usr/sbin wrapper would switch to the rabbitmq system user), with its
# own node name, ports, data and logs under $AUTOPKGTEST_TMP, so it neither
# needs nor disturbs a system broker that installing rabbitmq-server may
# have started on 5672.  It also has an epmd of its own: left to itself
# the node starts a daemon epmd on port 4369, on every interface, that
# outlives the test (and that a second run would share).

fh_broker_start() {
	fh_broker_dir=${AUTOPKGTEST_TMP:-$(mktemp -d)}/broker
	mkdir -p "$fh_broker_dir/home"
	# Ports from the PID keep two runs on one host apart: AMQP in
	# 20000-39999, distribution 20000 above, epmd 10000 below.
	FH_BROKER_PORT=$((20000 + $$ % 20000))
	export ERL_EPMD_PORT=$((FH_BROKER_PORT - 10000))
	setsid epmd -port "$ERL_EPMD_PORT" -address 127.0.0.1 \
		>"$fh_broker_dir/epmd.out" 2>&1 &
	fh_epmd_pid=$!
	export HOME="$fh_broker_dir/home"
	export RABBITMQ_NODENAME="fh$$@localhost"
	export RABBITMQ_NODE_PORT=$FH_BROKER_PORT
	export RABBITMQ_DIST_PORT=$((FH_BROKER_PORT + 20000))
	export RABBITMQ_MNESIA_BASE="$fh_broker_dir/mnesia"
	export RABBITMQ_LOG_BASE="$fh_broker_dir/log"
	export RABBITMQ_ENABLED_PLUGINS_FILE="$fh_broker_dir/enabled_plugins"
	export RABBITMQ_CONFIG_FILE="$fh_broker_dir/rabbitmq"
	printf '[].\n' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
	# Loopback only, AMQP, distribution and epmd alike: nothing outside
	# this host can reach the test broker.
	printf 'listeners.tcp.default = 127.0.0.1:%s\n' \
		"$FH_BROKER_PORT" >"$RABBITMQ_CONFIG_FILE.conf"
	export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
	/usr/lib/rabbitmq/bin/rabbitmq-server >"$fh_broker_dir/server.out" 2>&1 &
	fh_broker_pid=$!
	# rabbitmqctl wait blocks until the node has booted (or exits non-zero).
	if ! timeout 120 /usr/lib/rabbitmq/bin/rabbitmqctl -q wait --pid "$fh_broker_pid" \
		--timeout 110 >"$fh_broker_dir/wait.out" 2>&1; then
		echo "broker did not start; its output follows" >&2
		cat "$fh_broker_dir/server.out" "$fh_broker_dir/wait.out" >&2
		return 1
	fi
	# No path: vhost "/" (a trailing slash would name the empty vhost).
	BROKER_URL="amqp://guest:guest@127.0.0.1:$FH_BROKER_PORT"
	export BROKER_URL
}

fh_broker_stop() {
	if [ -n "${fh_broker_pid:-}" ]; then
		/usr/lib/rabbitmq/bin/rabbitmqctl -q stop >/dev/null 2>&1 ||
			kill "$fh_broker_pid" 2>/dev/null
		wait "$fh_broker_pid" 2>/dev/null || true
		fh_broker_pid=
	fi
	# setsid made epmd a session leader: its group holds it alone
	if [ -n "${fh_epmd_pid:-}" ]; then
		kill -- "-$fh_epmd_pid" 2>/dev/null
		# killed by that TERM: status 143, not an error (set -e callers)
		wait "$fh_epmd_pid" 2>/dev/null || true
		fh_epmd_pid=
	fi
}
