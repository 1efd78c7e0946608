#!/bin/bash
# alarm: a broker that blocks publishers (a memory alarm, as a full disk
# or a memory spike raises in production) must not make a worker or an
# enqueuer deaf to SIGTERM.  RabbitMQ stops reading from a connection
# once it publishes under an alarm: the result's confirm never comes, and
# every later call on that connection, a close included, waits as long as
# the alarm lasts.  SIGTERM must still end the worker with 143 and one
# line, the message must still be requeued (it is back once the alarm
# clears), and --enqueue must end the same way and say what it sent.  A
# worker started under the alarm is blocked after its write-permission
# probe, while it asks for a message: SIGTERM ends that too, nothing taken.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
# The worker's main thread waits before each basic.publish (hold-calls.c,
# FH_HOLD_PUBLISH): the first is its write-permission probe, the second
# the result.  So the alarm goes on exactly between the answer and its
# publish, however fast or loaded the machine: an easy prefix will do.
# (This was a search sized to last 12 s, stopped with SIGSTOP in time; on
# a machine loaded by other work the search was sized from a slow probe,
# then ran fast, and was solved before the test could stop it.)
hold_setup
# basic.get and queue.declare are held too (hold-calls.c): let them by
for i in $(seq 100); do go "get-$i"; go "declare-$i"; done
queue_declare job
queue_publish job 0c

alarm_on() {
	local i
	rmqctl set_vm_memory_high_watermark absolute 1 >/dev/null
	# in force once the node lists it
	for i in $(seq 60); do
		rmqctl eval 'rabbit_alarm:get_alarms().' | grep -q memory && return 0
		sleep 0.5
	done
	fail "the memory alarm never went on"
}
alarm_off() { rmqctl set_vm_memory_high_watermark 0.4 >/dev/null; }
# waits up to 90 s until a client connection of the broker is blocked
wait_blocked() {
	local i
	for i in $(seq 180); do
		broker_connections state | grep -qx 'blocked' && return 0
		sleep 0.5
	done
	return 1
}

# --- the worker: answer printed, result published, no confirm --------------
LD_PRELOAD=$preload FH_HOLD_DIR=$hold FH_HOLD_PUBLISH=1 \
	"$FIND_HASH" --queue job --threads 1 --results-queue results \
	>"$scratch/out" 2>"$scratch/err" &
pid=$!
held publish-1 || fail "worker: never reached its write-permission probe"
go publish-1
held publish-2 || fail "worker: never reached the result's publish"
alarm_on
go publish-2
wait_blocked || fail "worker: the broker never blocked its connection"
expect_lines 1 "$scratch/out" "worker: the answer is printed before the result is confirmed"
kill -TERM "$pid"
# the polite close gets 5 s; a worker deaf to SIGTERM is killed at 40
wait_bounded "$pid" 40
expect_status 143 $? "worker: SIGTERM while the result waits for its confirm"
cat "$scratch/err" >&2
expect_grep "stopped by signal 15 while waiting for the broker's confirms.*message requeued" \
	"$scratch/err" "worker: one line naming the signal and the requeue"
alarm_off
# the explicit requeue (or the closed connection) puts it back once the
# broker reads again: nothing lost
queue_wait_counts job 60 "1 0" || fail "worker: the message is back in the queue"

# --- the worker under an alarm from the start ----------------------------------
# its write-permission probe is what the broker blocks: nothing taken
alarm_on
"$FIND_HASH" --queue job --results-queue results >"$scratch/out" 2>"$scratch/err" &
pid=$!
wait_blocked || fail "worker at start: the broker never blocked its connection"
kill -TERM "$pid"
wait_bounded "$pid" 40
expect_status 143 $? "worker at start: SIGTERM while its probe waits"
cat "$scratch/err" >&2
expect_grep "stopped by signal 15" "$scratch/err" "worker at start: names the signal"
[ -s "$scratch/out" ] && fail "worker at start: something solved"
alarm_off
queue_wait_counts job 60 "1 0" || fail "worker at start: the message stays in the queue"

# --- --enqueue: published, never confirmed -------------------------------------
alarm_on
"$FIND_HASH" --queue job2 --enqueue 123 456 >"$scratch/out2" 2>"$scratch/err2" &
pid=$!
wait_blocked || fail "enqueue: the broker never blocked its connection"
kill -TERM "$pid"
wait_bounded "$pid" 40
expect_status 143 $? "enqueue: SIGTERM while waiting for the confirms"
cat "$scratch/err2" >&2
expect_grep "stopped by signal 15" "$scratch/err2" "enqueue: names the signal"
expect_grep "unconfirmed" "$scratch/err2" "enqueue: says which prefixes are unconfirmed"
alarm_off

broker_stop
finish
