#!/bin/bash
# workers: more one-shot workers than items all exit 0 and solve
# each item exactly once; --loop drains the queue (also two loops side by
# side); --count N takes at most N.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

"$FIND_HASH" --queue job --quiet --enqueue 0a 0b 0c || fail "enqueue"
pids=
for i in 1 2 3 4 5 6; do
	"$FIND_HASH" --queue job --threads 1 --results-queue results \
		>"$scratch/out$i" 2>"$scratch/err$i" &
	pids="$pids $!"
done
i=0
for pid in $pids; do
	i=$((i + 1))
	wait_bounded $pid 60
	expect_status 0 $? "worker $i of 6 for 3 items"
done
cat "$scratch"/out[1-6] >"$scratch/all"
expect_lines 3 "$scratch/all" "three answers from six workers"
for p in 0a 0b 0c; do
	grep -c "  $p" "$scratch/all" | grep -qx 1 || fail "prefix $p solved once"
done
while read -r string digest; do
	check_answer "${digest:0:2}" "$string" "$digest"
done <"$scratch/all"
queue_wait_counts job 15 "0 0" || fail "queue drained"
queue_wait_counts results 15 "3 0" || fail "three results"

# --loop: one worker drains five
"$FIND_HASH" --queue job --quiet --enqueue 1 2 3 4 5 || fail "enqueue 5"
"$FIND_HASH" --queue job --loop >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--loop"
expect_lines 5 "$scratch/out" "--loop: five answers"
expect_grep "queue 'job' is empty after 5 messages" "$scratch/err" "--loop note"
queue_wait_counts job 15 "0 0" || fail "--loop drained"

# two loops side by side share 30 items (3 digits each, so no prefix is
# the start of another), each solved exactly once
for n in $(seq 30); do printf '%03x\n' "$n"; done >"$scratch/prefixes"
"$FIND_HASH" --queue job --quiet --enqueue - <"$scratch/prefixes" ||
	fail "enqueue 30"
"$FIND_HASH" --queue job --loop --quiet >"$scratch/loop1" &
p1=$!
"$FIND_HASH" --queue job --loop --quiet >"$scratch/loop2" &
p2=$!
wait_bounded $p1 60
expect_status 0 $? "loop 1"
wait_bounded $p2 60
expect_status 0 $? "loop 2"
cat "$scratch/loop1" "$scratch/loop2" >"$scratch/all"
while read -r string digest; do
	check_answer "${digest:0:3}" "$string" "$digest"
done <"$scratch/all"
cut -d' ' -f3 "$scratch/all" | cut -c1-3 | sort >"$scratch/solved"
sort "$scratch/prefixes" | cmp -s - "$scratch/solved" ||
	fail "two loops: each of the 30 prefixes solved once"
queue_wait_counts job 15 "0 0" || fail "two loops drained"

# --count
"$FIND_HASH" --queue job --quiet --enqueue a b c || fail "enqueue 3"
"$FIND_HASH" --queue job --count 2 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--count 2"
expect_lines 2 "$scratch/out" "--count 2: two answers"
queue_wait_counts job 15 "1 0" || fail "--count 2 left one"
"$FIND_HASH" --queue job --count 5 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--count 5 with one left"
expect_lines 1 "$scratch/out" "--count 5: one answer"
queue_wait_counts job 15 "0 0" || fail "--count drained"
finish
