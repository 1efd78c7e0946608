#!/bin/bash
# oneshot: a one-shot worker takes one prefix, prints the answer as
# offline mode does, publishes it as JSON to the results queue confirmed
# and persistent, acknowledges, and leaves the rest of the queue alone.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

"$FIND_HASH" --queue job --enqueue 0ce ab >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "enqueue two prefixes"
queue_wait_counts job 15 "2 0" || fail "two messages ready"

# The results queue does not exist yet: the worker declares it durable.
"$FIND_HASH" --queue job --results-queue results >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "one-shot worker"
expect_lines 1 "$scratch/out" "stdout of the worker"
read -r string digest rest <"$scratch/out"
[ -z "$rest" ] || fail "stdout is 'STRING  SHA256', got: $(cat "$scratch/out")"
check_answer 0ce "$string" "$digest"
# exactly one taken, and acknowledged: the other stays ready
queue_wait_counts job 15 "1 0" || fail "one message left, none unacked"
queue_wait_counts results 15 "1 0" || fail "one result in the results queue"
rmqctl list_queues name durable messages_persistent >"$scratch/queues"
expect_grep '^results[[:space:]]+true[[:space:]]+1$' "$scratch/queues" \
	"results queue durable, result persistent"

queue_get results >"$scratch/result"
for key in prefix string sha256 tries seconds host; do
	expect_grep "\"$key\":" "$scratch/result" "result JSON key $key"
done
expect_grep '"prefix":"0ce"' "$scratch/result" "result names its prefix"
expect_grep "\"string\":\"$string\"" "$scratch/result" "result string = stdout"
expect_grep "\"sha256\":\"$digest\"" "$scratch/result" "result digest = stdout"
expect_grep "\"host\":\"$(uname -n)\"" "$scratch/result" "result names the host"

# --json prints the answer as offline --json does.
queue_publish job 12 || fail "publish 12"
"$FIND_HASH" --queue job --results-queue results >/dev/null 2>&1
expect_status 0 $? "worker on ab"
"$FIND_HASH" --queue job --json --results-queue results >"$scratch/json" 2>"$scratch/err"
expect_status 0 $? "--json worker"
expect_grep '^\{"prefix":"12","string":"[A-Za-z0-9]+","sha256":"12[0-9a-f]{62}","tries":[0-9]+,"seconds":[0-9.]+\}$' \
	"$scratch/json" "--json stdout"
queue_wait_counts job 15 "0 0" || fail "queue drained"
queue_wait_counts results 15 "2 0" || fail "two more results"
{ queue_get results; echo; queue_get results; echo; } >"$scratch/both"
expect_grep '"prefix":"ab"' "$scratch/both" "result for ab"
expect_grep '"prefix":"12"' "$scratch/both" "result for 12"
finish
