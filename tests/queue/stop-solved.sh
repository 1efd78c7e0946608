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
# a proxy and is held (hold-calls.c) at its first call to the broker
# after the answer: the result's publish, or the solved marker's
# declare.  The proxy is frozen, the worker let go on, and it waits for a
# broker that cannot answer.  The signal comes then, and the proxy thaws
# half a second later: well within the worker's grace, long after a
# worker that gives up at once has given up.  (This was a search sized to
# last 10 s, stopped with SIGSTOP in time; on a machine that sped up
# after the rate probe it was solved before the test could stop it.)
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
hold_setup
# any prefix will do: the hold, not the search's length, makes the moment
seed=777
prefix=abc
answer=$("$FIND_HASH" --offline --seed $seed --threads 1 $prefix | cut -d' ' -f1)
marker=find-hash.solved.$prefix.$seed
proxy_start || fail "the proxy is not listening"
url="amqp://guest:guest@127.0.0.1:$PROXY_PORT"

# solve_then_signal QUEUE SIGNAL WHAT AT ARG...: starts "$FIND_HASH --url
# $url --threads 1 --heartbeat 0 ARG..." (stdout to $scratch/out, stderr
# to $scratch/err) under hold-calls.c, with FH_HOLD_PUBLISH or
# FH_HOLD_QUEUE as the caller exports them; it takes the first message of
# QUEUE.  Every call is let by but AT (publish-2, declare-2...), the
# first after the answer: there the proxy is frozen, the worker let go
# on, SIGNAL sent, the proxy thawed.  Returns the worker's exit status.
# No heartbeats: they are not what this test is about.
solve_then_signal() {
	local queue=$1 sig=$2 what=$3 at=$4 pid i
	shift 4
	hold=$scratch/hold-$queue
	mkdir "$hold" || exit 99
	for i in $(seq 100); do
		go "get-$i"
		go "declare-$i"
		go "publish-$i"
	done
	rm "$hold/go-$at"
	LD_PRELOAD=$preload FH_HOLD_DIR=$hold \
		"$FIND_HASH" --url "$url" --threads 1 --heartbeat 0 "$@" \
		>"$scratch/out" 2>"$scratch/err" &
	pid=$!
	held "$at" || fail "$what: the worker never got to $at: $(cat "$scratch/err")"
	expect_lines 1 "$scratch/out" "$what: the answer is printed before $at"
	proxy_freeze
	go "$at"
	kill -"$sig" "$pid"
	sleep 0.5
	proxy_thaw
	wait_bounded "$pid" 60
}

# --- a result: published, confirmed, then acknowledged ---------------------
# --loop, with a second message behind the first: the stopped worker
# must not take it.  Its publishes: the write-permission probe, the result.
queue_declare job
queue_declare results
queue_publish job $prefix
queue_publish job 0c
FH_HOLD_PUBLISH=1 solve_then_signal job TERM "result" publish-2 \
	--queue job --seed $seed --loop --results-queue results
expect_status 143 $? "result: SIGTERM after the answer"
cat "$scratch/err" >&2
expect_lines 1 "$scratch/err" "result: one line"
expect_grep "^find-hash: stopped by signal 15 after 1 message$" "$scratch/err" \
	"result: says that the signal stopped the worker"
grep -q "not confirmed" "$scratch/err" &&
	fail "result: the confirm was cut short: $(cat "$scratch/err")"
read -r string digest <"$scratch/out"
check_answer "$prefix" "$string" "$digest"
[ "$string" = "$answer" ] || fail "result: answer $string, expected $answer"
queue_wait_counts results 15 "1 0" || fail "result: one result published"
queue_wait_counts job 15 "1 0" ||
	fail "result: the solved message acknowledged, the next one left alone"

# --- a shard: marker made, answer announced, then acknowledged -------------
# The marker's declares: the check for one when the shard is taken, then
# its making.
queue_declare shard
queue_publish shard "$prefix 0/1 $seed"
FH_HOLD_QUEUE=$marker solve_then_signal shard INT "shard" declare-2 \
	--queue shard
expect_status 130 $? "shard: SIGINT after the answer"
cat "$scratch/err" >&2
expect_lines 1 "$scratch/err" "shard: one line"
expect_grep "^find-hash: stopped by signal 2 after 1 message$" "$scratch/err" \
	"shard: says that the signal stopped the worker"
grep -q "not told" "$scratch/err" &&
	fail "shard: the announcement was cut short: $(cat "$scratch/err")"
read -r string digest <"$scratch/out"
[ "$string" = "$answer" ] || fail "shard: answer $string, expected $answer"
[ "$(queue_counts "$marker")" = missing ] &&
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
