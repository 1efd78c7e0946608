#!/bin/bash
# hardening-redeclared: the input queue deleted and declared again (a
# redeploy that recreates it) around the end of a --loop worker's search.
# The watch's check (a passive queue.declare, every few seconds of a
# search) that the broker answered "404, no queue" while the queue was
# gone was read only after the next message had been taken from the new
# queue: the worker then stopped that message's search, said the queue
# was deleted and its messages gone, and exited 3, though the queue and
# the message were there.  A message taken proves its queue is there: an
# answer to a check sent before it says nothing about it.
#
# The helper (hold-calls.c) holds the worker's main thread before each
# basic.get and each check, while the search threads run on, so that each
# step happens at a known point: the first message's search ends while
# its check waits, the queue is deleted, the check answered 404, the queue
# declared again with the second message in it before the worker asks.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
hold_setup
# the first message: a search of about 4 s on one thread (see
# slow_prefix), long enough for the first check, 0.2 s in; the second:
# a 16-digit prefix, searched until the worker is stopped
seed=4242
slow_prefix $seed 4
hard=0123456789abcdef
queue_declare job
queue_publish job "$SLOW_PREFIX"

FH_HOLD_DIR=$hold LD_PRELOAD=$preload "$FIND_HASH" --queue job --loop \
	--seed $seed --threads 1 >"$scratch/out" 2>"$scratch/err" &
pid=$!
held get-1 || fail "the worker never asked for a message"
go get-1
held declare-1 || fail "the worker never checked the queue during its search"
# the search thread ends with the answer while the check waits: then the
# main thread is the worker's only one
for i in $(seq 1200); do
	[ "$(ls "/proc/$pid/task" 2>/dev/null | wc -l)" -le 1 ] && break
	sleep 0.1
done
[ "$(ls "/proc/$pid/task" 2>/dev/null | wc -l)" -eq 1 ] ||
	fail "the first search did not end (threads: $(ls "/proc/$pid/task" | wc -l))"
rmqctl delete_queue job >/dev/null || fail "delete_queue"
go declare-1
held get-2 || fail "the worker never asked for the second message: $(cat "$scratch/err")"
read -r string digest rest <"$scratch/out"
check_answer "$SLOW_PREFIX" "${string:-}" "${digest:-}"
queue_declare job
queue_publish job $hard
go get-2
# the next check, a few seconds into the second search, finds the queue
held declare-2 ||
	fail "the second search stopped before its first check: $(cat "$scratch/err")"
for n in 2 3 4 5 6 7 8 9; do go declare-$n; go get-$((n + 1)); done
queue_wait_counts job 30 "0 1" || fail "the worker holds the second message"
grep -q deleted "$scratch/err" && fail "said the queue was deleted: $(cat "$scratch/err")"
kill -TERM "$pid"
wait_bounded "$pid" 30
expect_status 143 $? "SIGTERM during the second search"
expect_grep "^find-hash: stopped by signal 15 while solving prefix $hard; message requeued\$" \
	"$scratch/err" "SIGTERM: the second message requeued"
expect_lines 1 "$scratch/err" "one line"
queue_wait_counts job 15 "1 0" || fail "the second message is back in the queue"
finish
