# broker-lib.sh: start a private RabbitMQ node for one autopkgtest and stop
# it again.  Sourced by the tests in this directory.
#
# The node runs as the calling user from /usr/lib/rabbitmq/bin (the
# /usr/sbin wrapper would switch to the rabbitmq system user), with its
# own node name, ports, data and logs under $AUTOPKGTEST_TMP, so it neither
# needs nor disturbs a system broker that installing rabbitmq-server may
# have started on 5672.

fh_broker_start() {
	fh_broker_dir=${AUTOPKGTEST_TMP:-$(mktemp -d)}/broker
	mkdir -p "$fh_broker_dir/home"
	# Ports from the PID keep two runs on one host apart.
	FH_BROKER_PORT=$((20000 + $$ % 20000))
	export HOME="$fh_broker_dir/home"
	export RABBITMQ_NODENAME="fh$$@localhost"
	export RABBITMQ_NODE_PORT=$FH_BROKER_PORT
	export RABBITMQ_DIST_PORT=$((FH_BROKER_PORT + 20000))
	export RABBITMQ_MNESIA_BASE="$fh_broker_dir/mnesia"
	export RABBITMQ_LOG_BASE="$fh_broker_dir/log"
	export RABBITMQ_ENABLED_PLUGINS_FILE="$fh_broker_dir/enabled_plugins"
	export RABBITMQ_CONFIG_FILE="$fh_broker_dir/rabbitmq"
	printf '[].\n' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
	# Loopback only: nothing outside this host can reach the test broker.
	printf 'listeners.tcp.default = 127.0.0.1:%s\n' \
		"$FH_BROKER_PORT" >"$RABBITMQ_CONFIG_FILE.conf"
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
	[ -n "${fh_broker_pid:-}" ] || return 0
	/usr/lib/rabbitmq/bin/rabbitmqctl -q stop >/dev/null 2>&1 ||
		kill "$fh_broker_pid" 2>/dev/null
	wait "$fh_broker_pid" 2>/dev/null
	fh_broker_pid=
}
