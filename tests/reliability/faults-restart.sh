#!/bin/bash
# faults-restart: the broker restarts (rabbitmqctl stop_app, then
# start_app) under a worker and under --enqueue.
#  - Idle workers waiting for a message (--wait): the broker closes their
#    connections; each exits 3 with one line (a worker does not reconnect:
#    its pod's restart does), holding nothing, so nothing is lost; a new
#    worker takes what comes after the restart.
#  - A worker in the middle of a search: exits 3, and its message, in a
#    durable queue and persistent, is ready again after the restart.
#  - --enqueue publishing many prefixes, cut by the restart (through a
#    proxy frozen meanwhile, so the restart surely lands mid-stream): it
#    exits 3, does not claim success, and every prefix it reports as
#    confirmed is in the queue afterwards.
# The workers read the URL from a file (a mounted Secret): the password is
# on no command line (/proc/PID/cmdline) and in no message.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

secret=Rst7Secret
rmqctl add_user fhuser "$secret" >/dev/null || fail "add_user"
rmqctl set_permissions -p / fhuser '.*' '.*' '.*' >/dev/null ||
	fail "set_permissions"
printf 'amqp://fhuser:%s@127.0.0.1:%s\n' "$secret" "$BROKER_PORT" >"$scratch/url"
queue_declare job

# no_secret FILE... WHAT
no_secret() {
	local what=$1
	shift
	grep -l "$secret" "$@" >&2 && fail "$what: the password was printed"
}

# --- idle workers ----------------------------------------------------------
pids=
for i in 1 2; do
	"$FIND_HASH" --queue job --url-file "$scratch/url" --wait 300 \
		>"$scratch/out$i" 2>"$scratch/err$i" &
	pids="$pids $!"
done
for i in $(seq 100); do
	[ "$(broker_connections user | grep -c fhuser)" = 2 ] && break
	sleep 0.3
done
[ "$(broker_connections user | grep -c fhuser)" = 2 ] ||
	fail "two idle workers connected"
for pid in $pids; do
	tr '\0' ' ' <"/proc/$pid/cmdline" >"$scratch/cmdline"
	grep -q "$secret" "$scratch/cmdline" && fail "password in /proc/$pid/cmdline"
	grep -q -- "--url-file" "$scratch/cmdline" || fail "cmdline of $pid read"
done
rmqctl stop_app >/dev/null || fail "stop_app"
i=0
for pid in $pids; do
	i=$((i + 1))
	wait_bounded "$pid" 60
	expect_status 3 $? "idle worker $i when the broker stops"
	expect_lines 1 "$scratch/err$i" "idle worker $i: one line"
	expect_grep "closed the connection|connection to .* lost" \
		"$scratch/err$i" "idle worker $i: says the connection went"
	expect_grep "amqp://fhuser:\*\*\*@" "$scratch/err$i" \
		"idle worker $i: names the broker, redacted"
	[ -s "$scratch/out$i" ] && fail "idle worker $i printed an answer"
done
no_secret "idle workers" "$scratch"/err? "$scratch"/out?
rmqctl start_app >/dev/null || fail "start_app"
queue_publish job 0c
"$FIND_HASH" --queue job --url-file "$scratch/url" --connect-timeout 60 \
	>"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "a new worker after the restart"
expect_lines 1 "$scratch/out" "the new worker's answer"
queue_wait_counts job 10 "0 0" || fail "job empty after the new worker"

# --- a worker mid-search -------------------------------------------------------
# 16 digits: no search ends by itself within the test, so the broker stops
# while the worker searches however fast the machine runs (a search sized
# from a rate probe could end first on a machine that sped up)
hard=0123456789abcdef
queue_publish job $hard
"$FIND_HASH" --queue job --url-file "$scratch/url" --threads 1 \
	>"$scratch/out" 2>"$scratch/err" &
pid=$!
queue_wait_counts job 20 "0 1" || fail "the worker holds the prefix"
rmqctl stop_app >/dev/null || fail "stop_app (mid-search)"
wait_bounded "$pid" 60
expect_status 3 $? "worker mid-search when the broker stops"
expect_lines 1 "$scratch/err" "mid-search: one line"
expect_grep "while solving prefix $hard" "$scratch/err" \
	"mid-search: names the prefix"
no_secret "mid-search" "$scratch/err" "$scratch/out"
rmqctl start_app >/dev/null || fail "start_app (mid-search)"
queue_wait_counts job 60 "1 0" || fail "the prefix survived the restart"
[ "$(queue_get job)" = "$hard" ] || fail "the message is the prefix searched"
queue_wait_counts job 10 "0 0" || fail "job empty"

# --- --enqueue cut by a restart -------------------------------------------------
# Through a proxy: once the enqueue is publishing, the proxy is frozen
# (SIGSTOP), the broker restarted, the proxy thawed.  The restart then
# surely comes while prefixes are unconfirmed, however fast the machine.
pport=$((BROKER_PORT + 9))   # broker.sh keeps this one closed for tests
proxy_start "$pport" || fail "the proxy listens"
n=200000
seq "$n" | awk '{ printf "%x\n", $1 }' >"$scratch/many"
printf 'amqp://fhuser:%s@127.0.0.1:%s\n' "$secret" "$pport" >"$scratch/purl"
"$FIND_HASH" --queue many --url-file "$scratch/purl" --enqueue - \
	<"$scratch/many" >"$scratch/out" 2>"$scratch/err" &
pid=$!
# frozen as soon as the first prefixes are in the queue
for i in $(seq 300); do
	c=$(queue_counts many)
	[ "$c" != missing ] && [ "${c%% *}" -gt 0 ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
proxy_freeze
kill -0 "$pid" 2>/dev/null ||
	fail "--enqueue of $n prefixes ended before the restart: make n larger"
rmqctl stop_app >/dev/null || fail "stop_app (enqueue)"
rmqctl start_app >/dev/null || fail "start_app (enqueue)"
proxy_thaw
wait_bounded "$pid" 180
expect_status 3 $? "--enqueue when the broker restarts"
expect_lines 1 "$scratch/err" "--enqueue: one line"
grep -q "enqueued" "$scratch/err" && fail "--enqueue claimed success"
no_secret "--enqueue" "$scratch/err" "$scratch/out"
confirmed=$(sed -n 's/.*(\([0-9]*\) of '"$n"' prefixes confirmed).*/\1/p' "$scratch/err")
[ -n "$confirmed" ] || { fail "--enqueue: no count of confirmed prefixes"; cat "$scratch/err" >&2; }
got=$(queue_counts many)
got=${got%% *}
echo "--enqueue: $confirmed of $n confirmed before the restart; $got in the queue after it"
[ -n "$confirmed" ] && [ "$got" != missing ] && [ "$got" -ge "$confirmed" ] ||
	fail "--enqueue: $confirmed prefixes confirmed, but $got in the queue"
[ "$got" != missing ] && [ "$got" -lt "$n" ] ||
	fail "--enqueue: all $n in the queue, yet it failed"
# the confirmed ones are the first ones, in order: the queue starts with
# the first $confirmed prefixes
[ "$(queue_get many)" = 1 ] || fail "the first prefix is first in the queue"
rmqctl delete_queue many >/dev/null

# a URL whose user information sits in brackets, as a host: refused as
# usage, the password hidden (it used to be printed as the host)
"$FIND_HASH" --queue job --url "amqp://[fhuser:$secret@127.0.0.1]/" \
	>"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "bracketed user information"
no_secret "bracketed user information" "$scratch/err"
finish
