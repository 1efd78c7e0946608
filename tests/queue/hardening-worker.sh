#!/bin/bash
# hardening-worker: a big binary body with a space in it is reported
# as not a prefix (not as a too long shard body).  A shard worker whose
# solved-notice subscription the broker cancels (its queue deleted by an
# operator) says so once on stderr and searches on, as it does when that
# connection is lost, until it ends as it would have (here: SIGTERM), not
# silently deaf to the other workers.  A user who may not publish is
# found out before a message is taken, not after the whole search (then
# every pod would search the prefix in full, fail, requeue, for ever).
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job

# --- a big binary body -------------------------------------------------------
# 3 kB of every byte but NUL, spaces included, after a zip file's magic
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(b"PK\3\4 " + bytes(range(1, 256)) * 12)' \
	>"$scratch/body"
queue_publish_stdin job <"$scratch/body"
queue_wait_counts job 10 "1 0" || fail "binary body ready"
"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
expect_status 4 $? "binary body"
expect_lines 1 "$scratch/err" "binary body: one line"
expect_grep "poison message in queue 'job'.*: not a prefix.*rejected, not requeued" \
	"$scratch/err" "binary body: not a prefix"
grep -q "200 bytes" "$scratch/err" && fail "binary body: called a long shard body"
queue_wait_counts job 10 "0 0" || fail "binary body: not requeued"

# --- the notice subscription cancelled -----------------------------------------

# a 16-digit prefix: the worker searches until stopped
"$FIND_HASH" --queue job --enqueue --split 2 --seed 5 0123456789abcdef \
	2>"$scratch/enq"
expect_status 0 $? "enqueue --split 2"
"$FIND_HASH" --queue job --threads 1 --timeout 300 >"$scratch/out" 2>"$scratch/err" &
pid=$!
# the worker's notice queue: server-named and exclusive, the only one here
notice=
for i in $(seq 60); do
	notice=$(rmqctl list_queues name exclusive | awk '$2 == "true" { print $1; exit }')
	[ -n "$notice" ] && break
	sleep 0.5
done
[ -n "$notice" ] || fail "no notice queue appeared"
[ -n "$notice" ] && { rmqctl delete_queue "$notice" >/dev/null || fail "delete_queue"; }
for i in $(seq 100); do
	grep -q "cancelled" "$scratch/err" && break
	sleep 0.1
done
sleep 1
kill -0 $pid 2>/dev/null || fail "the worker ended when its notice queue was deleted"
kill -TERM $pid
wait_bounded $pid 60
expect_status 143 $? "worker after the cancel: searched on until SIGTERM"
n=$(grep -c "solved notice: the broker cancelled the subscription" "$scratch/err")
[ "$n" = 1 ] || { fail "the cancel was said $n times, expected once:"; cat "$scratch/err" >&2; }
expect_grep "searching on without early stop" "$scratch/err" "cancel: says the search goes on"
expect_grep "stopped by signal 15" "$scratch/err" "the search went on until the signal"
[ -s "$scratch/out" ] && fail "something on stdout"

# --- no write permission for the results ---------------------------------------
rmqctl add_user reader readerpw >/dev/null
rmqctl set_permissions -p / reader '^$' '^$' '.*' >/dev/null
queue_declare results
queue_declare job2
queue_publish job2 abc
queue_wait_counts job2 10 "1 0" || fail "no-write: the prefix is in the queue"
"$FIND_HASH" --queue job2 --results-queue results \
	--url "amqp://reader:readerpw@127.0.0.1:$BROKER_PORT" >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "no write permission"
cat "$scratch/err" >&2
expect_lines 1 "$scratch/err" "no write permission: one line"
expect_grep "cannot publish results as user 'reader'.*ACCESS_REFUSED" "$scratch/err" \
	"no write permission: says so, with the broker's reason"
grep -q readerpw "$scratch/err" && fail "no write permission: the password is printed"
[ -s "$scratch/out" ] && fail "no write permission: the prefix was taken and solved"
queue_wait_counts job2 10 "1 0" || fail "no write permission: the prefix stays in the queue"
[ "$(queue_get job2)" = abc ] || fail "no write permission: the message is untouched"
finish
