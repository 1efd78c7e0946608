#!/bin/bash
# errors: broker unreachable, credentials refused, unknown vhost,
# queue missing, connection closed by an operator: one line each naming
# the broker without its password, exit 3, and the message stays in the
# queue.  A bad URL is a usage error (2).  --connect-timeout retries until
# a broker comes up.  (consumer_timeout: see
# queue/consumer-timeout.sh.)
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
secret=S3cretPw
good=$BROKER_URL
queue_declare job

# one_line_error WHAT: exit 3 (checked by the caller), one line, the
# password nowhere in the output
one_line_error() {
	expect_lines 1 "$scratch/err" "$1: one line"
	grep -q "$secret" "$scratch/err" "$scratch/out" &&
		fail "$1: the password was printed"
	[ -s "$scratch/out" ] && fail "$1: something on stdout"
}

# unreachable: a port of this test's range nobody listens on
BROKER_URL="amqp://guest:$secret@127.0.0.1:$((BROKER_PORT + 9))" \
	"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "unreachable"
one_line_error unreachable
expect_grep "cannot connect to amqp://guest:\*\*\*@127\.0\.0\.1:$((BROKER_PORT + 9))/" \
	"$scratch/err" "unreachable: names the broker"

# --connect-timeout keeps trying, then gives up with one line
start=$(date +%s)
"$FIND_HASH" --queue job --connect-timeout 2 \
	--url "amqp://guest:$secret@127.0.0.1:$((BROKER_PORT + 9))" \
	>"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "--connect-timeout"
took=$(( $(date +%s) - start ))
[ $took -ge 1 ] && [ $took -le 30 ] || fail "--connect-timeout 2 took $took s"
one_line_error --connect-timeout
expect_grep "tries" "$scratch/err" "--connect-timeout: says it retried"

# refused credentials, from BROKER_URL
BROKER_URL="amqp://guest:$secret@127.0.0.1:$BROKER_PORT" \
	"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "bad password"
one_line_error "bad password"
expect_grep "ACCESS_REFUSED" "$scratch/err" "bad password: says refused"

# and from --url-file, the way a mounted Secret gives it
printf 'amqp://nobody:%s@127.0.0.1:%s\n' "$secret" "$BROKER_PORT" >"$scratch/url"
"$FIND_HASH" --queue job --url-file "$scratch/url" >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "bad user from --url-file"
one_line_error "--url-file"
expect_grep "as user 'nobody'" "$scratch/err" "--url-file: URL used"

# unknown vhost
"$FIND_HASH" --queue job --url "amqp://guest:guest@127.0.0.1:$BROKER_PORT/nope" \
	>"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "unknown vhost"
one_line_error "unknown vhost"

# bad URLs: usage errors, the password still hidden
for url in "http://guest:$secret@h/" "amqp://guest:$secret@h:1/v?x=1" \
	"amqp://guest:$secret@h:port/"; do
	"$FIND_HASH" --queue job --url "$url" >"$scratch/out" 2>"$scratch/err"
	expect_status 2 $? "bad URL $url"
	one_line_error "bad URL"
done

# the default URL's trailing slash means vhost "/" (and a good URL from
# a file works)
printf '%s/\n' "$good" >"$scratch/url"
"$FIND_HASH" --queue job --url-file "$scratch/url" >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "URL with a trailing slash"
expect_grep "queue 'job' is empty" "$scratch/err" "empty queue note"

# queue missing
"$FIND_HASH" --queue missing >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "missing queue"
one_line_error "missing queue"
expect_grep "NOT_FOUND - no queue 'missing'" "$scratch/err" "missing queue named"
# with --results-queue: found out before the results queue is declared,
# which nothing would ever fill (it used to be left behind, durable)
"$FIND_HASH" --queue missing --results-queue leftover >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "missing queue, --results-queue"
one_line_error "missing queue, --results-queue"
expect_grep "NOT_FOUND - no queue 'missing'" "$scratch/err" "missing queue named (--results-queue)"
[ "$(queue_counts leftover)" = missing ] ||
	fail "missing queue: the results queue 'leftover' was declared anyway"

# the broker closes the connection during the search (an operator, a
# node going down)
queue_publish job 0123456789abcdef
"$FIND_HASH" --queue job --threads 1 >"$scratch/out" 2>"$scratch/err" &
pid=$!
queue_wait_counts job 30 "0 1" || fail "the worker holds the message"
name=$(broker_connections_wait pid | head -n 1)
rmqctl close_connection "$name" "test closes it" >/dev/null || fail "close_connection"
wait_bounded $pid 30
expect_status 3 $? "connection closed by the broker"
one_line_error "connection closed"
expect_grep "CONNECTION_FORCED" "$scratch/err" "close reason given"
queue_wait_counts job 15 "1 0" || fail "message back after close"


# --connect-timeout rides out a broker that is not up yet: the AMQP
# listener is stopped when the worker starts and back two seconds later
rmqctl purge_queue job >/dev/null || fail "purge"
queue_publish job 0ce
queue_wait_counts job 15 "1 0" || fail "one message before stop_app"
rmqctl stop_app >/dev/null || fail "stop_app"
"$FIND_HASH" --queue job --connect-timeout 60 >"$scratch/out" 2>"$scratch/err" &
pid=$!
sleep 2
rmqctl start_app >/dev/null || fail "start_app"
wait_bounded $pid 90
expect_status 0 $? "--connect-timeout until the broker is up"
[ -s "$scratch/out" ] || fail "--connect-timeout: no answer printed"
finish
