#!/bin/bash
# consumer-timeout: the broker closes the channel of a worker that
# holds a message longer than its consumer_timeout (RabbitMQ's default is
# 30 minutes): the worker stops its search at once, says so in one line,
# exits 3, and the message is back in the queue.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
# 2 s, checked every second (the default check runs once a minute)
BROKER_CONF_EXTRA='consumer_timeout = 2000'
BROKER_ADVANCED_RABBIT='{channel_tick_interval, 1000}'
broker_start
queue_declare job
queue_publish job 0123456789abcdef
start=$(date +%s)
timeout 120 "$FIND_HASH" --queue job --threads 1 >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "consumer_timeout"
expect_lines 1 "$scratch/err" "one line"
expect_grep "the broker closed the channel: 406 PRECONDITION_FAILED" \
	"$scratch/err" "reason given"
expect_grep "guest:\*\*\*@" "$scratch/err" "broker named, password hidden"
[ -s "$scratch/out" ] && fail "something on stdout"
[ $(( $(date +%s) - start )) -le 60 ] || fail "consumer_timeout noticed late"
queue_wait_counts job 15 "1 0" || fail "message back after consumer_timeout"
finish
