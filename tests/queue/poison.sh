#!/bin/bash
# poison: a message that is no prefix (empty, too long, binary, NUL
# bytes, 1 MiB) is rejected without requeue, so it lands in the queue's
# dead-letter queue; the worker names it in one printable, truncated line
# and exits 4.  --loop goes on past it and exits 4 at the end.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start

# Dead-lettering as operators set it up: a policy giving job a dead-letter
# exchange (the default exchange) and routing key (the queue dlq).  It is
# the same mechanism as an x-dead-letter-exchange queue argument, which
# amqp-declare-queue cannot set.
queue_declare dlq
queue_declare job
rmqctl set_policy poison '^job$' \
	'{"dead-letter-exchange":"","dead-letter-routing-key":"dlq"}' \
	--apply-to queues >/dev/null || fail "set the dead-letter policy"

printf '' >"$scratch/p-empty"
printf '%065d' 0 >"$scratch/p-65digits"
printf '\377\376\200ab' >"$scratch/p-binary"
printf '0c\000e' >"$scratch/p-nul"
head -c 1048576 /dev/zero | tr '\0' 'a' >"$scratch/p-1mib"
printf 'not hex' >"$scratch/p-text"
printf ' \t\n' >"$scratch/p-blank"

dead=0
for kind in empty 65digits binary nul 1mib text blank; do
	queue_publish_stdin job <"$scratch/p-$kind" || fail "publish $kind"
	queue_wait_counts job 15 "1 0" || fail "$kind: one message ready"
	"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
	expect_status 4 $? "poison $kind"
	dead=$((dead + 1))
	queue_wait_counts job 15 "0 0" || fail "$kind: not requeued"
	queue_wait_counts dlq 15 "$dead 0" || fail "$kind: dead-lettered"
	expect_lines 1 "$scratch/err" "$kind: one line on stderr"
	expect_grep "poison message in queue 'job'" "$scratch/err" "$kind: named"
	[ -s "$scratch/out" ] && fail "$kind: something on stdout"
	LC_ALL=C grep -q '[^[:print:]]' "$scratch/err" &&
		fail "$kind: unprintable bytes on stderr"
	len=$(wc -c <"$scratch/err")
	[ "$len" -lt 400 ] || fail "$kind: a $len-byte line is not truncated"
done
# the body is shown, escaped and cut
"$FIND_HASH" --queue job 2>/dev/null   # queue empty now: exit 0
queue_publish_stdin job <"$scratch/p-binary"
"$FIND_HASH" --queue job 2>"$scratch/err"
expect_grep '"\\xff\\xfe\\x80ab"' "$scratch/err" "binary body escaped"
queue_publish_stdin job <"$scratch/p-1mib"
"$FIND_HASH" --queue job 2>"$scratch/err"
expect_grep '"a{20,60}\.\.\."' "$scratch/err" "long body cut with ..."
expect_grep '1048576 bytes' "$scratch/err" "long body's size given"
dead=$((dead + 2))
queue_wait_counts dlq 15 "$dead 0" || fail "dead-lettered"

# --loop: the poison between two good prefixes is dead-lettered, both good
# ones are solved, and the exit status still reports the poison.
queue_publish job 0a
queue_publish job 'zz'
queue_publish job 0b
"$FIND_HASH" --queue job --loop >"$scratch/out" 2>"$scratch/err"
expect_status 4 $? "--loop over a poison message"
expect_lines 2 "$scratch/out" "--loop: two answers"
while read -r string digest; do
	case $digest in
	0a*) check_answer 0a "$string" "$digest" ;;
	*) check_answer 0b "$string" "$digest" ;;
	esac
done <"$scratch/out"
queue_wait_counts job 15 "0 0" || fail "--loop drained the queue"
queue_wait_counts dlq 15 "$((dead + 1)) 0" || fail "--loop dead-lettered zz"
finish
