#!/bin/bash
# hardening-body: a message far too big to be a prefix (15 MB, under the
# 16 MB that RabbitMQ 4.0 takes by default) is rejected as poison by a
# worker with little memory, not taken whole into it.  The worker read
# every body whole (amqp_read_message): short of memory for it, it exited
# 3 ("could not allocate memory") and the broker handed the same message
# to the next worker, for ever, every worker stopped by the one message at
# the head of the queue.  Now only the first 64 KiB are kept: status 4,
# one line with the whole size, the message dead-lettered.  A prefix with
# some white space around it still works.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job
queue_declare job.dead
rmqctl set_policy dlx '^job$' \
	'{"dead-letter-exchange":"","dead-letter-routing-key":"job.dead"}' \
	--apply-to queues >/dev/null || fail "set the dead-letter policy"

# The worker's own address space on an empty queue (libraries, thread
# stacks), plus 4 MB: room for a few frames of a body, not for 15 MB of it.
"$FIND_HASH" --queue job --wait 3 >"$scratch/out" 2>"$scratch/err" &
pid=$!
peak=0
for i in $(seq 30); do
	p=$(awk '/^VmPeak:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ -n "$p" ] && [ "$p" -gt "$peak" ] && peak=$p
	sleep 0.1
done
wait_bounded $pid 30
expect_status 0 $? "the empty-queue run"
[ "$peak" -gt 0 ] || { echo "no VmPeak for the worker" >&2; exit 99; }
limit=$((peak + 4096))

head -c 15000000 /dev/zero | tr '\0' a >"$scratch/big"
queue_publish_stdin job <"$scratch/big"
queue_wait_counts job 30 "1 0" || fail "the big message is in the queue"
(ulimit -v "$limit" || exit 99
 exec "$FIND_HASH" --queue job --threads 1) >"$scratch/out" 2>"$scratch/err"
expect_status 4 $? "a 15 MB body under a ${limit} kB limit"
expect_lines 1 "$scratch/err" "15 MB body: one line"
expect_grep "poison message in queue 'job' \(15000000 bytes\) \"a{40}\.\.\.\": too long" \
	"$scratch/err" "15 MB body: poison, its whole size said"
[ -s "$scratch/out" ] && fail "15 MB body: something on stdout"
queue_wait_counts job 15 "0 0" || fail "15 MB body: not requeued"
queue_wait_counts job.dead 15 "1 0" || fail "15 MB body: dead-lettered"

# just over what is kept: poison, whatever its start
{ printf 0ce; head -c 65534 /dev/zero | tr '\0' ' '; } >"$scratch/padded"
queue_publish_stdin job <"$scratch/padded"
"$FIND_HASH" --queue job --threads 1 >"$scratch/out" 2>"$scratch/err"
expect_status 4 $? "0ce and 65534 spaces"
expect_grep "\(65537 bytes\) \"0ce {37}\.\.\.\": too long \(over 65536 bytes\)" \
	"$scratch/err" "65537 bytes: too long"

# within it: the prefix, white space forgiven
{ printf 0ce; head -c 2000 /dev/zero | tr '\0' ' '; } >"$scratch/padded"
queue_publish_stdin job <"$scratch/padded"
"$FIND_HASH" --queue job --threads 1 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "0ce and 2000 spaces"
read -r string digest rest <"$scratch/out"
check_answer 0ce "$string" "$digest"
queue_wait_counts job 15 "0 0" || fail "0ce and 2000 spaces: acknowledged"
finish
