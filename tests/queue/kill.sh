#!/bin/bash
# kill: a worker killed with SIGKILL in the middle of a search loses
# nothing: its unacknowledged message is ready again once the connection
# drops, no result was published, and the next worker solves it.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

queue_declare job
queue_declare results
# 16 digits: no search ends by itself within the test
queue_publish job 0123456789abcdef
kill_holding_worker job KILL 1 "$scratch/out" "$scratch/err" "killed worker" \
	--queue job --threads 1 --results-queue results
expect_status 137 $? "killed worker"
queue_wait_counts job 10 "1 0" || fail "message ready again after SIGKILL"
queue_wait_counts results 15 "0 0" || fail "no result from a killed worker"

# The message survived intact: replace it by an easy one behind it and
# check the next worker gets the original first (and says it is a
# redelivery).
queue_publish job 0c
"$FIND_HASH" --queue job --max-tries 1 >"$scratch/out" 2>"$scratch/err"
expect_status 1 $? "next worker gives up on the redelivered prefix"
expect_grep 'prefix 0123456789abcdef was delivered before' "$scratch/err" \
	"redelivery noted"
expect_grep 'gave up on prefix 0123456789abcdef' "$scratch/err" \
	"the redelivered message is the original"
queue_wait_counts job 15 "2 0" || fail "still two messages"
finish
