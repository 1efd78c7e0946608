#!/bin/bash
# stop: giving up (--max-tries, --timeout) requeues the message and
# exits 1; SIGTERM, SIGINT and SIGHUP (the session gone) stop the search,
# requeue the message explicitly and exit 143, 130 and 129, with one line.
# Nothing is acknowledged or published.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

queue_declare job
queue_declare results
hard=0123456789abcdef
queue_publish job $hard

"$FIND_HASH" --queue job --max-tries 100000 --results-queue results \
	>"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "--max-tries"
expect_grep "gave up on prefix $hard .*requeued" "$scratch/err" "give-up line"
queue_wait_counts job 15 "1 0" || fail "--max-tries requeued"

start=$(date +%s)
"$FIND_HASH" --queue job --timeout 1 >"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "--timeout"
[ $(( $(date +%s) - start )) -le 30 ] || fail "--timeout 1 took too long"
queue_wait_counts job 15 "1 0" || fail "--timeout requeued"

# SIGHUP as a terminal sends it, whatever this shell inherited (nohup)
printf '#!/bin/sh\nexec env --default-signal=HUP "%s" "$@"\n' "$FIND_HASH" \
	>"$scratch/find-hash-hup"
chmod +x "$scratch/find-hash-hup"
for sig in TERM INT HUP; do
	want=$(signal_status $sig)
	FIND_HASH="$scratch/find-hash-hup" \
	kill_holding_worker job $sig 0.5 "$scratch/out" "$scratch/err" "SIG$sig" \
		--queue job --threads 1 --results-queue results
	expect_status $want $? "SIG$sig"
	[ "$STOP_SECONDS" -le 15 ] || fail "SIG$sig: slow to stop"
	expect_grep "stopped by signal [0-9]+ while solving prefix $hard; message requeued" \
		"$scratch/err" "SIG$sig: says it requeued"
	# the message was delivered before: a note says so, then the stop
	grep -v ': note: ' "$scratch/err" >"$scratch/err-stop"
	expect_lines 1 "$scratch/err-stop" "SIG$sig: one line"
	queue_wait_counts job 15 "1 0" || fail "SIG$sig: message requeued"
	[ -s "$scratch/out" ] && fail "SIG$sig: printed an answer"
done

# SIGTERM while waiting on an empty queue: nothing held, still 143.
queue_declare idle
"$FIND_HASH" --queue idle --wait 30 2>"$scratch/err" &
pid=$!
sleep 1
kill -TERM $pid
wait_bounded $pid 30
expect_status 143 $? "SIGTERM during --wait"
queue_wait_counts results 15 "0 0" || fail "nothing published"
finish
