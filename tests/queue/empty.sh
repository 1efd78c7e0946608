#!/bin/bash
# empty: on an empty queue a worker exits 0 at once with a one-line
# note (so a Job with more completions than items completes); --wait
# SECONDS waits that long first, and takes a message that arrives meanwhile.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

start=$(date +%s.%N)
"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "empty queue"
t=$(elapsed "$start")
awk -v t="$t" 'BEGIN { exit !(t < 15) }' || fail "empty queue took $t s"
expect_lines 1 "$scratch/err" "one note"
expect_grep "queue 'job' is empty" "$scratch/err" "the note"
[ -s "$scratch/out" ] && fail "stdout not empty"

"$FIND_HASH" --queue job --quiet >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "empty queue, --quiet"
[ -s "$scratch/err" ] && fail "--quiet: a note on stderr"

start=$(date +%s.%N)
"$FIND_HASH" --queue job --wait 2 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--wait 2 on an empty queue"
t=$(elapsed "$start")
awk -v t="$t" 'BEGIN { exit !(t >= 1.9 && t < 20) }' ||
	fail "--wait 2 returned after $t s"
expect_grep "queue 'job' is empty \(waited 2 s\)" "$scratch/err" "--wait note"

# a message published while the worker waits is taken
start=$(date +%s.%N)
"$FIND_HASH" --queue job --wait 20 >"$scratch/out" 2>"$scratch/err" &
pid=$!
sleep 1.5
queue_publish job 0ce
wait_bounded $pid 30
expect_status 0 $? "--wait, then a message"
t=$(elapsed "$start")
awk -v t="$t" 'BEGIN { exit !(t < 30) }' || fail "took $t s to see the message"
read -r string digest rest <"$scratch/out"
check_answer 0ce "$string" "$digest"
queue_wait_counts job 15 "0 0" || fail "acknowledged"

"$FIND_HASH" --queue job --wait -1 >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "--wait -1"
finish
