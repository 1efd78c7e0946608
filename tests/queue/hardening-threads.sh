#!/bin/bash
# hardening-threads: a worker or --enqueue that cannot start a thread (a
# pod's pids limit, no memory for a stack) has a system error, status 5
# with the system's words, wherever it happens: connecting, taking a
# message, searching, waiting for the result's confirm, closing.  The
# broker's watchdog thread failing used to be a broker error (3, "cannot
# start a thread"), which a Job retries as the broker's trouble; the
# man page says no threads is status 5.  Whatever fails, the message is
# never lost: it is in the queue again, or solved with its result there.
# (thread-limit.c makes pthread_create fail from its Nth call on.)
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"

preload=$(build_preload tests/queue/thread-limit.c) || exit 99
broker_start
queue_declare job
queue_declare results

# Every moment a thread is started, in turn: N threads allowed, then none.
# A run that needs no more than N threads solves the prefix (status 0).
solved=0
for n in 0 1 2 3 4 5 6 7 8; do
	queue_publish job 0ce
	queue_wait_counts job 10 "1 0" || fail "N=$n: the prefix is in the queue"
	FH_THREADS_OK=$n LD_PRELOAD="$preload" \
		"$FIND_HASH" --queue job --threads 1 --results-queue results \
		>"$scratch/out" 2>"$scratch/err"
	st=$?
	if [ $st = 0 ]; then
		solved=$((solved + 1))
		queue_wait_counts job 10 "0 0" || fail "N=$n: solved, yet not acknowledged"
		queue_wait_counts results 10 "$solved 0" ||
			fail "N=$n: solved, yet no result"
		continue
	fi
	expect_status 5 $st "N=$n threads, then none"
	expect_lines 1 "$scratch/err" "N=$n: one line"
	expect_grep "thread.*: Resource temporarily unavailable" "$scratch/err" \
		"N=$n: says no thread, in the system's words"
	# lost: neither in the queue nor solved (a result confirmed, its ack
	# sent, the close refused: the prefix is solved, so either is fine)
	r=$(queue_counts results)
	if [ "$r" = "$((solved + 1)) 0" ]; then
		solved=$((solved + 1))
		rmqctl purge_queue job >/dev/null
	else
		queue_wait_counts job 10 "1 0" || fail "N=$n: the message is lost"
		rmqctl purge_queue job >/dev/null
	fi
done
[ $solved -ge 1 ] || fail "no run had threads enough to solve the prefix"

# --enqueue: its connection's watchdog, then the publishing guard
for n in 0 1; do
	FH_THREADS_OK=$n LD_PRELOAD="$preload" \
		"$FIND_HASH" --queue jobs2 --enqueue 0ce 12 >"$scratch/out" 2>"$scratch/err"
	expect_status 5 $? "--enqueue, N=$n threads"
	expect_lines 1 "$scratch/err" "--enqueue N=$n: one line"
	expect_grep "thread.*: Resource temporarily unavailable" "$scratch/err" \
		"--enqueue N=$n: says no thread"
	c=$(queue_counts jobs2)
	[ "$c" = missing ] || [ "$c" = "0 0" ] || fail "--enqueue N=$n: something enqueued ($c)"
done
finish
