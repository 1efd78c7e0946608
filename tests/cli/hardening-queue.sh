#!/bin/bash
# hardening-queue: a worker started with standard output or error
# closed does not write into its broker connection (which would have taken
# descriptor 1 or 2): it solves, publishes and acknowledges as usual.  And
# a --url password does not show in ps (/proc/PID/cmdline): it is
# overwritten once parsed, the user and host left readable.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job

queue_publish job 0ce
"$FIND_HASH" --queue job --results-queue results >&- 2>"$scratch/err"
expect_status 0 $? "stdout closed"
queue_wait_counts job 15 "0 0" || fail "stdout closed: input not acknowledged"
queue_wait_counts results 15 "1 0" || fail "stdout closed: no result"
queue_get results >"$scratch/result"
expect_grep '"prefix":"0ce"' "$scratch/result" "stdout closed: the result"

queue_publish job 5a5
"$FIND_HASH" --queue job --results-queue results 2>&- >"$scratch/out"
expect_status 0 $? "stderr closed"
queue_wait_counts job 15 "0 0" || fail "stderr closed: input not acknowledged"
queue_wait_counts results 15 "1 0" || fail "stderr closed: no result"
read -r string digest rest <"$scratch/out"
check_answer 5a5 "${string:-}" "${digest:-}"

# the password: a user of its own, so the marker is a real password, and
# a queue of its own that stays empty, so the worker waits
queue_declare idle
marker=Pw4hideMarker
rmqctl add_user hider "$marker" >/dev/null || fail "add user"
rmqctl set_permissions hider '.*' '.*' '.*' >/dev/null || fail "set permissions"
for form in "--url" "--url="; do
	url="amqp://hider:$marker@127.0.0.1:$BROKER_PORT"
	if [ "$form" = "--url" ]; then
		"$FIND_HASH" --queue idle --wait 120 --url "$url" >/dev/null 2>"$scratch/err" &
	else
		"$FIND_HASH" --queue idle --wait 120 "--url=$url" >/dev/null 2>"$scratch/err" &
	fi
	pid=$!
	broker_connections_wait user | grep -q hider ||
		fail "$form: the worker did not connect"
	tr '\0' ' ' <"/proc/$pid/cmdline" >"$scratch/cmdline"
	grep -q "$marker" "$scratch/cmdline" &&
		fail "$form: password in /proc/$pid/cmdline: $(cat "$scratch/cmdline")"
	expect_grep "amqp://hider:x+@127\.0\.0\.1:$BROKER_PORT" "$scratch/cmdline" \
		"$form: user and host still shown"
	kill -TERM $pid
	wait_bounded $pid 30
	expect_status 143 $? "$form: worker stopped by SIGTERM"
done
finish
