#!/bin/bash
# queue-item-time.sh: the time one item costs a one-shot queue worker:
# start, connect, take, solve a 2-digit prefix, print, (publish the result
# and wait for its confirm,) acknowledge, exit; averaged over N items run
# one after another, on a private broker.  Not part of make check.
#
#   bench/queue-item-time.sh [N] [-- COMMAND...]
#
# With "-- COMMAND...", the same N items are also run through
# "amqp-consume -c 1 -p 1 COMMAND..." (the pattern queue mode replaces:
# COMMAND reads the prefix on stdin), for comparison.  The "--" that
# amqp-consume is given keeps the options of COMMAND (sh -c) its own.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
FIND_HASH=${FIND_HASH:-$top/src/find-hash}
n=100
[ $# -gt 0 ] && [ "$1" != -- ] && { n=$1; shift; }
[ $# -gt 0 ] && [ "$1" = -- ] && shift
. "$top/tests/lib/broker.sh"
broker_start

fill() {   # fill QUEUE: N distinct 2-digit prefixes
	for i in $(seq 0 $((n - 1))); do printf '%02x\n' $((i % 256)); done |
		"$FIND_HASH" --queue "$1" --quiet --enqueue - || exit 1
}
# run LABEL QUEUE COMMAND...: N runs of COMMAND, average wall time each
run() {
	local label=$1 queue=$2 t0 t1 i fails=0
	shift 2
	[ "$queue" = empty ] || fill "$queue"
	t0=$(date +%s.%N)
	for i in $(seq "$n"); do
		"$@" >/dev/null 2>&1 || fails=$((fails + 1))
	done
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v n="$n" -v l="$label" -v f="$fails" \
		'BEGIN { printf "%-66s %6.1f ms/item  (%d items, %d failed)\n",
			 l, (b - a) * 1000 / n, n, f }'
	[ "$(queue_counts "$queue")" = "0 0" ] ||
		echo "  left in $queue: $(queue_counts "$queue")"
}

export BROKER_URL
queue_declare empty
run "find-hash --queue (print, ack)" q1 \
	"$FIND_HASH" --queue q1
run "find-hash --queue --results-queue (print, publish, confirm, ack)" q2 \
	"$FIND_HASH" --queue q2 --results-queue results
run "  the same, --threads 1" q4 \
	"$FIND_HASH" --queue q4 --results-queue results --threads 1
# what the queue adds: a worker that finds its queue empty (connect, log
# in, basic.get, close), and an offline search of the same prefixes
run "find-hash --queue on an empty queue (connect, get, close)" empty \
	"$FIND_HASH" --queue empty
run "find-hash --offline 0c (no broker)" empty \
	"$FIND_HASH" --offline 0c
if [ $# -gt 0 ]; then
	run "amqp-consume -c 1 -p 1 $*" q3 \
		amqp-consume --url="$BROKER_URL" -q q3 -c 1 -p 1 -- "$@"
fi
