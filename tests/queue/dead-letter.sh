#!/bin/bash
# dead-letter: a queue --enqueue creates keeps what a worker rejects.  A
# worker rejects a poison message without requeue; a queue with no
# dead-letter exchange drops it without a trace, and --enqueue created the
# queue with none.  Now an absent queue NAME is declared with the default
# exchange as dead-letter exchange and NAME.dead as routing key, and
# NAME.dead is declared durable beside it: the poison message lands there
# whole, its x-death header naming the queue and the reason "rejected".
# An existing queue (or dead-letter queue) is used as it stands; one
# created by someone else between our look and our declare too.  A name
# too long to take the suffix is refused, only when the queue is absent.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
get_death=$(build_amqp_program tests/queue/get-death.c) || exit 99
broker_start

# queue_arguments NAME: the queue's arguments as rabbitmqctl lists them,
# the empty string as "" (Erlang's []).  RabbitMQ 4 (Debian 13) lists the
# queue type it chose, x-queue-type "classic", among them though no client
# gave it: left out, so that both releases read alike.
queue_arguments() {
	rmqctl list_queues name arguments |
		awk -v q="$1" '$1 == q { $1 = ""; print substr($0, 2); f = 1 }
			       END { if (!f) print "missing" }' |
		sed -e 's/,\[\]}/,""}/g' \
		    -e 's/,{"x-queue-type","classic"}//; s/{"x-queue-type","classic"},\{0,1\}//'
}
dlx_of() {   # NAME DEAD: the arguments --enqueue gives NAME
	printf '[{"x-dead-letter-exchange",""},{"x-dead-letter-routing-key","%s"}]' "$2"
}

# --- the queue --enqueue creates has the path ------------------------------
"$FIND_HASH" --queue job --enqueue 0a >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "enqueue to an absent queue"
expect_lines 1 "$scratch/err" "absent queue: one line"
expect_grep "enqueued 1 prefix to queue 'job' \(created; rejected messages go to queue 'job\.dead'\)" \
	"$scratch/err" "absent queue: the note names the dead-letter queue"
[ "$(queue_arguments job)" = "$(dlx_of job job.dead)" ] ||
	fail "job's arguments: $(queue_arguments job)"
rmqctl list_queues name durable >"$scratch/queues"
expect_grep '^job\.dead[[:space:]]+true$' "$scratch/queues" \
	"job.dead declared, durable"

"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "the worker solves 0a"
printf '\377\376zz\000poison' >"$scratch/poison"
queue_publish_stdin job <"$scratch/poison" || fail "publish the poison"
queue_wait_counts job 15 "1 0" || fail "the poison is in job"
"$FIND_HASH" --queue job >"$scratch/out" 2>"$scratch/err"
expect_status 4 $? "the worker rejects the poison"
queue_wait_counts job 15 "0 0" || fail "poison: not requeued"
queue_wait_counts job.dead 15 "1 0" || fail "poison: kept in job.dead"
"$get_death" "$BROKER_URL" job.dead "$scratch/body" >"$scratch/death"
expect_status 0 $? "a message in job.dead"
cmp -s "$scratch/poison" "$scratch/body" ||
	fail "the dead-lettered body differs: $(od -c "$scratch/body")"
expect_lines 1 "$scratch/death" "one x-death entry"
expect_grep '^( [a-z]+=[^ ]+)*( reason=rejected)' "$scratch/death" \
	"x-death: rejected"
expect_grep ' queue=job( |$)' "$scratch/death" "x-death: from job"

# --split publishes shard bodies to a queue it creates the same way
"$FIND_HASH" --queue sjob --enqueue --split 2 0b >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "enqueue --split to an absent queue"
expect_grep "\(created; rejected messages go to queue 'sjob\.dead'\)" \
	"$scratch/err" "--split: the note names the dead-letter queue"
[ "$(queue_arguments sjob)" = "$(dlx_of sjob sjob.dead)" ] ||
	fail "sjob's arguments: $(queue_arguments sjob)"
queue_wait_counts sjob.dead 15 "0 0" || fail "sjob.dead declared"

# --- existing queues stand as they are -------------------------------------
# a plain queue: no 406, no dead-letter queue made for it
queue_declare plain
"$FIND_HASH" --queue plain --enqueue 0c >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "enqueue to an existing plain queue"
expect_grep "enqueued 1 prefix to queue 'plain'$" "$scratch/err" \
	"plain queue: no word of creating it"
queue_wait_counts plain 15 "1 0" || fail "plain queue: one message"
[ "$(queue_arguments plain)" = "[]" ] ||
	fail "plain's arguments: $(queue_arguments plain)"
[ "$(queue_counts plain.dead)" = missing ] || fail "plain.dead declared"
# a dead-letter queue already there (non-durable: a durable declare of it
# would be refused) is used as it is
amqp-declare-queue --url="$BROKER_URL" -q pre.dead >/dev/null
"$FIND_HASH" --queue pre --enqueue 0d >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "enqueue with the dead-letter queue already there"
[ "$(queue_arguments pre)" = "$(dlx_of pre pre.dead)" ] ||
	fail "pre's arguments: $(queue_arguments pre)"
rmqctl list_queues name durable >"$scratch/queues"
expect_grep '^pre\.dead[[:space:]]+false$' "$scratch/queues" \
	"pre.dead as it was"

# --- names: 250 bytes take the suffix, 251 do not ---------------------------
n250=$(printf 'q%.0s' $(seq 250))
"$FIND_HASH" --queue "$n250" --enqueue 0e >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "a 250-byte name"
[ "$(queue_arguments "$n250")" = "$(dlx_of "$n250" "$n250.dead")" ] ||
	fail "the 250-byte name's arguments"
queue_wait_counts "$n250.dead" 15 "0 0" || fail "a 255-byte dead-letter queue"
n251=r$n250
"$FIND_HASH" --queue "$n251" --enqueue 0e >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "an absent 251-byte name"
expect_lines 1 "$scratch/err" "251 bytes: one line"
expect_grep "queue '$n251' does not exist, and its 251-byte name leaves no room for its dead-letter queue's \(NAME\.dead, at most 255 bytes\): declare the queue first, or take a name of at most 250 bytes; nothing enqueued" \
	"$scratch/err" "251 bytes: why, and what to do"
[ "$(queue_counts "$n251")" = missing ] || fail "251 bytes: queue declared"
# an existing one is fine, up to AMQP's 255
n255=rrrr$n251
queue_declare "$n255"
"$FIND_HASH" --queue "$n255" --enqueue 0e >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "an existing 255-byte name"
queue_wait_counts "$n255" 15 "1 0" || fail "255 bytes: one message"

# --- created by someone else between our look and our declare ---------------
# The first queue.declare (passive) finds race absent; --enqueue then
# declares race.dead (passive, then for real) and holds before the fourth,
# race with its arguments.  Meanwhile race is declared plain: ours is
# refused (406), and race is used as it stands.
hold_setup
for n in 1 2 3 5 6 7; do go "declare-$n"; done
LD_PRELOAD=$preload FH_HOLD_DIR=$hold \
	"$FIND_HASH" --queue race --enqueue 0f >"$scratch/out" 2>"$scratch/err" &
pid=$!
held declare-4 || fail "race: held before declaring race"
queue_declare race
go declare-4
wait_bounded $pid 60
expect_status 0 $? "race: declared plain meanwhile"
expect_lines 1 "$scratch/err" "race: one line"
expect_grep "enqueued 1 prefix to queue 'race'$" "$scratch/err" \
	"race: no word of creating it"
queue_wait_counts race 15 "1 0" || fail "race: one message"
[ "$(queue_arguments race)" = "[]" ] ||
	fail "race's arguments: $(queue_arguments race)"
# --- a user allowed to configure the input queue's name alone -----------------
# Creating NAME.dead needs its own configure permission: refused (403),
# status 3, one line, and nothing created, not even the input queue.
rmqctl add_user lim limpw >/dev/null || fail "add the user lim"
rmqctl set_permissions -p / lim '^lim$' '^lim$' '^lim$' >/dev/null ||
	fail "set lim's permissions"
"$FIND_HASH" --url "amqp://lim:limpw@127.0.0.1:$BROKER_PORT/" \
	--queue lim --enqueue 0a >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "configure permission on the input queue alone"
expect_lines 1 "$scratch/err" "permission: one line"
expect_grep "ACCESS_REFUSED" "$scratch/err" "permission: the broker's words"
[ "$(queue_arguments lim)" = "missing" ] || fail "permission: lim was created"
finish
