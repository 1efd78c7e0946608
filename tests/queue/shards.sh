#!/bin/bash
# shards: one prefix split over shard messages.  Four shards of a
# 12-digit prefix whose answer lies in shard 0, three workers: the first
# answer stops the other two (they ack their shards and exit 0 with a
# note), a late worker acks the fourth shard at once, every shard message
# ends acked, and there is exactly one verified result.  Then, with a
# prefix whose only answer is known to lie in shard 1 of 2, the notice
# path on its own: a worker searching shard 0 stops when shard 1 is
# solved, a shard of the solved job taken later is acked at once, and the
# same prefix under another seed is another job.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

# the note a worker leaves when another one had the answer
note() { echo "$1: solved by another worker \\(shard $2\\)"; }

# --- 4 shards, 3 workers ------------------------------------------------
# The answer is the candidate at counter 1000000, in shard 0 of 4: no
# other shard holds a 12-digit match within any search here (odds T / 2^48
# for T tries), so exactly one worker can answer.  Its result's publish
# is held (hold-calls.c) until the other two hold their shards: the
# answer then surely stops two searches, however fast or slow each
# worker.  (Four shards of a 7-digit prefix, whose first matches lay 57M
# and 150M tries into their shards, raced the workers' speeds.)
queue_declare job
queue_declare results
seed=104
answer=$(candidate_at "$(seed_base $seed)" 1000000)
prefix=$(printf %s "$answer" | sha256sum | cut -c1-12)
"$FIND_HASH" --offline --seed $seed --shard 0/4 --threads 1 $prefix \
	>"$scratch/probe" 2>&1 && grep -q "^$answer " "$scratch/probe" ||
	broker_fail "probe: $prefix not solved by $answer in shard 0/4:" \
		"$(cat "$scratch/probe")"
"$FIND_HASH" --queue job --enqueue --split 4 --seed $seed $prefix \
	2>"$scratch/enq"
expect_status 0 $? "enqueue --split 4"
expect_grep "enqueued 1 prefix in 4 shards each to queue 'job'" \
	"$scratch/enq" "enqueue note"
queue_wait_counts job 5 "4 0" || fail "4 shard messages enqueued"

hold_setup
pids=
for k in 1 2 3; do
	# each worker's publishes: the write-permission probe (let by), the
	# result (held), the notice (let by); nothing else held
	mkdir "$hold/$k"
	for i in $(seq 1000); do
		: >"$hold/$k/go-get-$i"
		: >"$hold/$k/go-declare-$i"
		[ "$i" = 2 ] || : >"$hold/$k/go-publish-$i"
	done
	(
		FH_HOLD_DIR=$hold/$k FH_HOLD_PUBLISH=1 LD_PRELOAD=$preload \
		"$FIND_HASH" --queue job --threads 1 --results-queue results \
			>"$scratch/out$k" 2>"$scratch/err$k"
		echo $? >"$scratch/st$k"
		date +%s.%N >"$scratch/t$k"
	) &
	pids="$pids $!"
done
solver=
for i in $(seq 1200); do
	for k in 1 2 3; do
		[ -e "$hold/$k/at-publish-2" ] && solver=$k
	done
	[ -n "$solver" ] && break
	sleep 0.1
done
[ -n "$solver" ] || fail "no worker got to its result's publish"
queue_wait_counts job 60 "1 3" || fail "three workers hold a shard each"
[ -n "$solver" ] && : >"$hold/$solver/go-publish-2"
# the notice stops the other two within a tick or two of their searches
for p in $pids; do
	wait_bounded "$p" 120
done

solvers=0
for k in 1 2 3; do
	st=$(cat "$scratch/st$k" 2>/dev/null)
	expect_status 0 "${st:-none}" "worker $k"
	if [ -s "$scratch/out$k" ]; then
		solvers=$((solvers + 1))
		[ "$k" = "$solver" ] || fail "worker $k answered, not the one held"
		expect_lines 1 "$scratch/out$k" "worker $k's answer"
		read -r string digest <"$scratch/out$k"
		check_answer $prefix "$string" "$digest"
		grep -q warning "$scratch/err$k" &&
			fail "solver warned: $(cat "$scratch/err$k")"
	else
		expect_grep "^find-hash: $(note $prefix '[0-3]/4')\$" \
			"$scratch/err$k" "worker $k stopped by the notice"
	fi
done
[ $solvers = 1 ] || fail "$solvers workers printed an answer, wanted 1"
# the two stopped workers name two different shards
shards=$(cat "$scratch"/err[123] | sed -n 's/.*(shard \([0-9]\)\/4)$/\1/p' |
	sort -u | wc -l)
[ "$shards" = 2 ] || fail "stopped workers name $shards distinct shards"
queue_wait_counts results 5 "1 0" || fail "exactly one result"
result=$(queue_get results)
string=$(printf %s "$result" | sed -n 's/.*"string":"\([^"]*\)".*/\1/p')
digest=$(printf %s "$result" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
check_answer $prefix "$string" "$digest"
[ "$string" = "$answer" ] || fail "result: $string, expected $answer"
# one shard is left, taken by nobody yet
queue_wait_counts job 5 "1 0" || fail "the fourth shard still waits"
if [ -n "$solver" ]; then
	gap=$(cat "$scratch"/t[123] | sort -n |
		awk 'NR == 1 { a = $1 } { z = $1 } END { printf "%.2f", z - a }')
	echo "first exit to last exit: $gap s (solver: worker $solver)"
fi

# A late worker: the marker tells it the prefix is solved.
"$FIND_HASH" --queue job --threads 1 >"$scratch/out4" 2>"$scratch/err4"
expect_status 0 $? "late worker"
expect_lines 0 "$scratch/out4" "late worker prints no answer"
expect_grep "^find-hash: $(note $prefix '[0-3]/4')\$" "$scratch/err4" \
	"late worker's note"
queue_wait_counts job 5 "0 0" || fail "every shard message acked"
[ "$(queue_counts "find-hash.solved.$prefix.$seed")" = "0 0" ] ||
	fail "no solved marker for $prefix.$seed"
# the notice queues were the workers' own and went with them
rmqctl list_queues name | grep -q '^amq\.gen' &&
	fail "notice queues left: $(rmqctl list_queues name)"

# --- the notice on its own ---------------------------------------------
# The answer to a 12-digit prefix built from the candidate at counter
# 2^62 + 5000: 5000 candidates into shard 1 of 2.  A worker on shard 0
# searches on: a 12-digit match within its first T tries has odds T / 2^48.
s2=7
answer=$(candidate_at "$(seed_base $s2)" $(((1 << 62) + 5000)))
p2=$(printf %s "$answer" | sha256sum | cut -c1-12)
"$FIND_HASH" --offline --seed $s2 --shard 1/2 --threads 1 $p2 \
	>"$scratch/probe" 2>&1 && grep -q "^$answer " "$scratch/probe" ||
	broker_fail "probe: $p2 not solved by $answer in shard 1/2:" \
		"$(cat "$scratch/probe")"

queue_declare job2
queue_declare results2
queue_publish job2 "$p2 0/2 $s2"
"$FIND_HASH" --queue job2 --threads 1 >"$scratch/outA" 2>"$scratch/errA" &
pidA=$!
queue_wait_counts job2 30 "0 1" || fail "worker A holds shard 0/2"
sleep 1    # searching, and not going to find anything
queue_publish job2 "$p2 1/2 $s2"
"$FIND_HASH" --queue job2 --threads 1 --results-queue results2 \
	>"$scratch/outB" 2>"$scratch/errB"
expect_status 0 $? "worker B solves shard 1/2"
grep -q "^$answer " "$scratch/outB" ||
	fail "worker B's answer: $(cat "$scratch/outB")"
wait_bounded $pidA 30
expect_status 0 $? "worker A after the notice"
expect_lines 0 "$scratch/outA" "worker A prints no answer"
expect_grep "^find-hash: $(note $p2 0/2)\$" "$scratch/errA" \
	"worker A's note"
queue_wait_counts job2 5 "0 0" || fail "both shards acked"
queue_wait_counts results2 5 "1 0" || fail "one result for $p2"

# shard 0 again, as a redelivery would bring it: acked at once
queue_publish job2 "$p2 0/2 $s2"
"$FIND_HASH" --queue job2 --threads 1 >"$scratch/outC" 2>"$scratch/errC"
expect_status 0 $? "worker C on a solved job"
expect_grep "^find-hash: $(note $p2 0/2)\$" "$scratch/errC" "worker C's note"
queue_wait_counts job2 5 "0 0" || fail "worker C acked"

# another seed is another job: not solved, searched (and given up here)
queue_publish job2 "$p2 0/2 $((s2 + 1))"
"$FIND_HASH" --queue job2 --threads 1 --max-tries 100000 \
	>"$scratch/outD" 2>"$scratch/errD"
expect_status 1 $? "worker D on another job of the same prefix"
expect_grep "gave up on prefix $p2" "$scratch/errD" "worker D searched"
queue_wait_counts job2 5 "1 0" || fail "worker D requeued its shard"
finish
