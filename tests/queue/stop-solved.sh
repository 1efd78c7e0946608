#!/bin/bash
# stop-solved: a signal that comes after the answer was found lets the
# worker finish that message before it stops: the result's confirm is
# waited for, a shard's solved marker is made and announced, the message
# is acknowledged, and only then does the worker exit, with the signal's
# status (143, 130) and one line that says so.  Cut short, the message
# would go back to the queue with its result already published: solved
# twice.
#
# The moment is made, not guessed: the worker talks to the broker through
# a proxy, is stopped (SIGSTOP) while it searches, the proxy is frozen,
# and the search goes on; once the answer is printed the worker is
# waiting for a broker that cannot answer.  The signal comes then, and
# the proxy thaws half a second later: well within the worker's grace,
# long after a worker that gives up at once has given up.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
# about 10 s on one thread (see slow_prefix): time enough to stop the
# worker while it searches, however loaded the machine
seed=777
slow_prefix $seed 10
proxy_start || fail "the proxy is not listening"
url="amqp://guest:guest@127.0.0.1:$PROXY_PORT"

# solve_then_signal QUEUE SIGNAL WHAT ARG...: starts "$FIND_HASH --url
# $url --threads 1 --heartbeat 0 ARG..." (stdout to $scratch/out, stderr
# to $scratch/err), which takes the first message of QUEUE, the slow one;
# sends SIGNAL once the answer is printed and the broker is out of reach,
# then thaws the proxy.  Returns the worker's exit status.  No heartbeats:
# on a loaded machine the search behind the frozen proxy can outlast
# their timeout, which is not what this test is about.
solve_then_signal() {
	local queue=$1 sig=$2 what=$3 pid i
	shift 3
	"$FIND_HASH" --url "$url" --threads 1 --heartbeat 0 "$@" \
		>"$scratch/out" 2>"$scratch/err" &
	pid=$!
	for i in $(seq 300); do
		[ "$(queue_counts "$queue" | cut -d' ' -f2)" = 1 ] && break
		sleep 0.1
	done
	kill -STOP "$pid"
	[ -s "$scratch/out" ] &&
		fail "$what: solved before the test could stop it (machine too slow for a 10 s search?)"
	proxy_freeze
	kill -CONT "$pid"
	for i in $(seq 1200); do
		[ -s "$scratch/out" ] && break
		sleep 0.1
	done
	expect_lines 1 "$scratch/out" "$what: the answer is printed"
	kill -"$sig" "$pid"
	sleep 0.5
	proxy_thaw
	wait_bounded "$pid" 60
}

# --- a result: published, confirmed, then acknowledged ---------------------
# --loop, with a second message behind the slow one: the stopped worker
# must not take it
queue_declare job
queue_declare results
queue_publish job "$SLOW_PREFIX"
queue_publish job 0c
solve_then_signal job TERM "result" --queue job --seed $seed --loop \
	--results-queue results
expect_status 143 $? "result: SIGTERM after the answer"
cat "$scratch/err" >&2
expect_lines 1 "$scratch/err" "result: one line"
expect_grep "^find-hash: stopped by signal 15 after 1 message$" "$scratch/err" \
	"result: says that the signal stopped the worker"
grep -q "not confirmed" "$scratch/err" &&
	fail "result: the confirm was cut short: $(cat "$scratch/err")"
read -r string digest <"$scratch/out"
check_answer "$SLOW_PREFIX" "$string" "$digest"
[ "$string" = "$SLOW_STRING" ] || fail "result: answer $string, expected $SLOW_STRING"
queue_wait_counts results 15 "1 0" || fail "result: one result published"
queue_wait_counts job 15 "1 0" ||
	fail "result: the solved message acknowledged, the next one left alone"

# --- a shard: marker made, answer announced, then acknowledged -------------
queue_declare shard
queue_publish shard "$SLOW_PREFIX 0/1 $seed"
solve_then_signal shard INT "shard" --queue shard
expect_status 130 $? "shard: SIGINT after the answer"
cat "$scratch/err" >&2
expect_lines 1 "$scratch/err" "shard: one line"
expect_grep "^find-hash: stopped by signal 2 after 1 message$" "$scratch/err" \
	"shard: says that the signal stopped the worker"
grep -q "not told" "$scratch/err" &&
	fail "shard: the announcement was cut short: $(cat "$scratch/err")"
read -r string digest <"$scratch/out"
[ "$string" = "$SLOW_STRING" ] || fail "shard: answer $string, expected $SLOW_STRING"
[ "$(queue_counts "find-hash.solved.$SLOW_PREFIX.$seed")" = missing ] &&
	fail "shard: no solved marker"
queue_wait_counts shard 15 "0 0" || fail "shard: the message acknowledged"

# --- a --loop worker on quick prefixes, stopped mid-run ----------------------
# Wherever the signal lands (a search, the ack after an answer, the next
# basic.get), one line says so, and every printed answer is acknowledged
# while the rest stays in the queue: nothing solved twice, nothing lost.
queue_declare many
for i in $(seq 0 1999); do printf '%02x\n' $((i % 256)); done |
	"$FIND_HASH" --queue many --enqueue - 2>/dev/null ||
	fail "many: enqueue 2000 prefixes"
"$FIND_HASH" --queue many --loop --json >"$scratch/out" 2>"$scratch/err" &
pid=$!
for i in $(seq 600); do
	[ "$(wc -l <"$scratch/out")" -ge 20 ] && break
	sleep 0.1
done
kill -TERM "$pid"
wait_bounded "$pid" 30
expect_status 143 $? "many: SIGTERM mid-run"
cat "$scratch/err" >&2
expect_lines 1 "$scratch/err" "many: one line"
expect_grep "^find-hash: stopped by signal 15 (after [0-9]+ messages|while )" \
	"$scratch/err" "many: says that the signal stopped the worker"
solved=$(wc -l <"$scratch/out")
queue_wait_counts many 15 "$((2000 - solved)) 0" ||
	fail "many: $solved answers printed, as many messages acknowledged"
finish
