#!/bin/bash
# enqueue: --enqueue validates every prefix before sending any (a bad
# one: exit 2, nothing published, not even the queue declared), declares
# the queue durable, publishes persistent messages confirmed by the broker,
# reads prefixes from stdin with -, and keeps an existing queue as it is.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

"$FIND_HASH" --queue job --enqueue 0a zz 0b >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "a bad prefix among good ones"
expect_lines 1 "$scratch/err" "one line"
expect_grep '"zz" \(argument 2\)' "$scratch/err" "names the bad one"
[ "$(queue_counts job)" = missing ] || fail "nothing declared or published"

for bad in "" "$(printf '%065d' 0)" "0x12" "ab cd"; do
	"$FIND_HASH" --queue job --enqueue 0a "$bad" 2>"$scratch/err"
	expect_status 2 $? "bad prefix '$bad'"
done
printf '0a\nnot hex\n0b\n' | "$FIND_HASH" --queue job --enqueue - 2>"$scratch/err"
expect_status 2 $? "bad line on stdin"
expect_grep 'standard input line 2' "$scratch/err" "names the line"
"$FIND_HASH" --queue job --enqueue 2>"$scratch/err"
expect_status 2 $? "no prefixes"
[ "$(queue_counts job)" = missing ] || fail "still nothing published"

# good ones: arguments and stdin (blank lines skipped, case folded,
# whitespace trimmed)
printf '0A\n\n  0b  \n' | "$FIND_HASH" --queue job --enqueue 0c - ABC \
	>"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "enqueue"
expect_grep "enqueued 4 prefixes to queue 'job'" "$scratch/err" "note"
queue_wait_counts job 15 "4 0" || fail "four messages"
rmqctl list_queues name durable messages_persistent >"$scratch/queues"
expect_grep '^job[[:space:]]+true[[:space:]]+4$' "$scratch/queues" \
	"queue durable, messages persistent"
for want in 0c 0a 0b abc; do
	got=$(queue_get job)
	[ "$got" = "$want" ] || fail "message '$got', expected '$want'"
done

# an existing queue is used as declared: here a non-durable one, which a
# durable declare would refuse (PRECONDITION_FAILED)
amqp-declare-queue --url="$BROKER_URL" -q transient >/dev/null
"$FIND_HASH" --queue transient --enqueue 0d 2>"$scratch/err"
expect_status 0 $? "enqueue to an existing non-durable queue"
queue_wait_counts transient 15 "1 0" || fail "one message in it"

# many: more than the 1000-message confirm window
seq 2500 | awk '{ printf "%x\n", $1 }' >"$scratch/many"
"$FIND_HASH" --queue many --quiet --enqueue - <"$scratch/many"
expect_status 0 $? "enqueue 2500"
queue_wait_counts many 10 "2500 0" || fail "2500 messages"

# broker unreachable: exit 3
"$FIND_HASH" --queue job --enqueue 0a \
	--url "amqp://guest:guest@127.0.0.1:$((BROKER_PORT + 9))" 2>"$scratch/err"
expect_status 3 $? "unreachable broker"
finish
