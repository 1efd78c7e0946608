#!/bin/bash
# hardening-enqueue: when the broker takes some prefixes of an
# --enqueue and refuses others (a full queue with x-overflow
# reject-publish), the error line says exactly which are in the queue and
# which are not, so that a rerun duplicates nothing; the queue holds just
# the confirmed ones.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
# the queue takes 2 messages, and refuses (nacks) publishes beyond
rmqctl set_policy cap '^full$' '{"max-length":2,"overflow":"reject-publish"}' \
	--apply-to queues >/dev/null || fail "set_policy"

"$FIND_HASH" --queue full --enqueue 0ce 12 abc def 99 >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "partial enqueue"
expect_lines 1 "$scratch/err" "partial enqueue: one line"
[ -s "$scratch/out" ] && fail "partial enqueue: something on stdout"
expect_grep "refused 3 of 5 published messages" "$scratch/err" "partial enqueue: counts"
expect_grep "\(2 of 5 prefixes confirmed\): confirmed: 0ce 12;" "$scratch/err" \
	"partial enqueue: the confirmed prefixes"
expect_grep "refused by the broker: abc def 99$" "$scratch/err" "partial enqueue: the refused prefixes"
grep -q "unconfirmed\|not sent" "$scratch/err" &&
	fail "partial enqueue: every prefix was answered: $(cat "$scratch/err")"
queue_wait_counts full 10 "2 0" || fail "partial enqueue: 2 messages in the queue"
got="$(queue_get full) $(queue_get full)"
[ "$got" = "0ce 12" ] || fail "partial enqueue: queue holds '$got', expected '0ce 12'"

# all refused: none confirmed, and the line says so
rmqctl purge_queue full >/dev/null
"$FIND_HASH" --queue full --enqueue 0a 0b >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "two prefixes into an empty queue of 2"
"$FIND_HASH" --queue full --enqueue 0c 0d >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "full queue"
expect_lines 1 "$scratch/err" "full queue: one line"
expect_grep "\(0 of 2 prefixes confirmed\): refused by the broker: 0c 0d$" "$scratch/err" \
	"full queue: both refused"
queue_wait_counts full 10 "2 0" || fail "full queue: still 2 messages"

# many prefixes: the groups are named by their positions in the input
rmqctl purge_queue full >/dev/null
seq 1 30 | awk '{ printf "%x\n", $1 }' >"$scratch/many"
"$FIND_HASH" --queue full --enqueue - <"$scratch/many" >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "30 prefixes into a queue of 2"
expect_lines 1 "$scratch/err" "30 prefixes: one line"
expect_grep "\(2 of 30 prefixes confirmed\): confirmed: 1 2; refused by the broker: #3-30$" \
	"$scratch/err" "30 prefixes: positions"
finish
