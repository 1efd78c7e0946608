#!/bin/bash
# jobsim.sh ITEMS WORKERS KILL_FRACTION BROKER_RESTARTS NET_CUTS [SEED]
#
# A Kubernetes Job simulator under faults: checks the queue worker's
# promise of at-least-once delivery.  It starts its own RabbitMQ node
# (tests/lib/broker.sh), fills the durable queue "job" with ITEMS distinct
# prefixes (most 2 to 4 hex digits, a quarter slow 12-digit ones that take
# a couple of seconds, so kills land mid-search), and runs WORKERS worker
# slots.  Each slot behaves like a pod of a Job with restartPolicy
# OnFailure: it runs
#   find-hash --queue job --results-queue results --connect-timeout 20
#             --wait 1 --heartbeat 2 --threads 1 --seed S   (odd slots: --loop)
# and runs it again after it ends, until the queue has neither ready nor
# unacknowledged messages.  Workers reach the broker through a TCP proxy
# (socat) that the simulator controls.
#
# Meanwhile a fault driver, in random order and at random moments:
#  - kills round(KILL_FRACTION * ITEMS) workers: SIGKILL or SIGTERM at a
#    random moment, or SIGKILL at the two points a random signal almost
#    never hits, right after the result is published and right before the
#    ack (an LD_PRELOAD helper, tests/reliability/killpoint.c);
#  - restarts the broker BROKER_RESTARTS times (rabbitmqctl stop_app,
#    a pause, start_app);
#  - cuts the network NET_CUTS times: the proxy is frozen (SIGSTOP: a
#    silent cut that only heartbeats notice), then killed (every
#    connection reset) and started again.
#
# At the end it drains the results queue, verifies every result with
# sha256sum (the digest of the string is the one given and starts with the
# prefix), and prints a summary: items, results, prefixes answered,
# duplicates (at-least-once allows them), losses, wrong answers, faults
# injected, worker exits by status.  Exit 1 on any loss, wrong or unknown
# answer, unexpected worker status, a queue not drained, or a worker that
# hangs; 99 when something it needs is missing.  Everything is bounded by
# JOBSIM_TIMEOUT seconds (default 300 + 5 per item).
#
# Run from make check (tests/reliability/faults-jobsim.sh) or by hand:
#   FIND_HASH=src/find-hash tests/reliability/jobsim.sh 200 8 0.33 2 2
# Needs rabbitmq-server, amqp-tools, socat and a C compiler (cc, or $CC)
# for the helper.
set -u
usage() {
	echo "usage: $0 ITEMS WORKERS KILL_FRACTION BROKER_RESTARTS NET_CUTS [SEED]" >&2
	exit 99
}
[ $# -ge 5 ] && [ $# -le 6 ] || usage
ITEMS=$1 WORKERS=$2 KILL_FRACTION=$3 RESTARTS=$4 CUTS=$5 SEED=${6:-$$}
for v in "$ITEMS" "$WORKERS" "$RESTARTS" "$CUTS" "$SEED"; do
	case $v in '' | *[!0-9]*) usage ;; esac
done
case $KILL_FRACTION in '' | *[!0-9.]*) usage ;; esac
[ "$ITEMS" -ge 1 ] && [ "$ITEMS" -le 4000 ] && [ "$WORKERS" -ge 1 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
FIND_HASH=${FIND_HASH:-$top_builddir/src/find-hash}
export FIND_HASH top_srcdir
. "$top_srcdir/tests/lib/test-env.sh"
. "$top_srcdir/tests/lib/broker.sh"
TIMEOUT=${JOBSIM_TIMEOUT:-$((300 + 5 * ITEMS))}
START=$(date +%s)
RANDOM=$SEED
log() { echo "jobsim: $*"; }
over() { [ $(( $(date +%s) - START )) -ge "$TIMEOUT" ]; }

cc=${CC:-cc}
command -v "$cc" >/dev/null || broker_fail "no C compiler ($cc) for the helper"
"$cc" -shared -fPIC -o "$scratch/killpoint.so" \
	"$top_srcdir/tests/reliability/killpoint.c" -ldl \
	-I"${top_builddir:-$top_srcdir}" -I"$top_srcdir/src/queue" \
	$(pkg-config --cflags librabbitmq 2>/dev/null) \
	>"$scratch/cc.log" 2>&1 || {
	cat "$scratch/cc.log" >&2
	broker_fail "cannot build tests/reliability/killpoint.c"
}

state=$scratch/state tokens=$scratch/tokens
mkdir -p "$state" "$tokens"
: >"$state/exits"
SLOT_PIDS=
jobsim_cleanup() {
	local p
	touch "$state/stop" 2>/dev/null
	for p in $SLOT_PIDS; do kill -KILL "$p" 2>/dev/null; done
	# a pid file can outlive its worker (a slot killed between wait and
	# rm), and with pid_max 32768 the number may by now belong to another
	# test's process: kill it only while it is still a find-hash
	for p in "$state"/pid.*; do
		[ -f "$p" ] || continue
		p=$(cat "$p")
		grep -q find-hash "/proc/$p/cmdline" 2>/dev/null &&
			kill -KILL "$p" 2>/dev/null
	done
}
broker_start
cleanup_hooks="jobsim_cleanup $cleanup_hooks"

# --- the proxy (broker.sh): workers connect to PROXY_PORT -------------------
proxy_start || broker_fail "the proxy did not listen on $PROXY_PORT"
WORKER_URL="amqp://guest:guest@127.0.0.1:$PROXY_PORT"

# --- the items -------------------------------------------------------------
# All workers run with --seed WSEED --threads 1, so a prefix's answer is
# fixed: the lowest counter whose candidate matches.  A slow item is the
# 12-digit digest prefix of the candidate at a counter N chosen for about
# SLOW seconds of one thread (as slow_prefix in broker.sh): no earlier
# counter is likely to match 12 digits, so the worker hashes N candidates.
WSEED=$((SEED % 100000 + 1))
SLOW=${JOBSIM_SLOW_SECONDS:-3}
base=$(seed_base "$WSEED")
[ ${#base} = 36 ] || broker_fail "offline probe failed"
t0=$(date +%s.%N)
"$FIND_HASH" --offline --threads 1 --max-tries 4000000 \
	0123456789abcdef0123 >/dev/null 2>&1
t1=$(date +%s.%N)
rate=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", 4000000 / (b - a) }')
nslow=$((ITEMS / 4))
declare -A want=()
: >"$scratch/items"
for i in $(seq "$ITEMS"); do
	if [ $((i % 4)) = 0 ] && [ "$nslow" -gt 0 ]; then
		# from 0.5 to 1.5 times SLOW seconds
		n=$(awk -v r="$rate" -v s="$SLOW" -v k=$((RANDOM % 1000)) \
			'BEGIN { printf "%.0f", r * s * (0.5 + k / 1000) }')
		str=$(candidate_at "$base" "$n")
		p=$(printf %s "$str" | sha256sum | cut -c1-12)
	else
		while :; do
			d=$((2 + RANDOM % 3))
			p=$(printf '%04x' $(( (RANDOM << 1 ^ RANDOM) & 0xffff )) |
				cut -c1-"$d")
			[ -z "${want[$p]+x}" ] && break
		done
	fi
	[ -n "${want[$p]+x}" ] && continue   # a repeated slow one: drop it
	want[$p]=0
	echo "$p" >>"$scratch/items"
done
ITEMS=$(wc -l <"$scratch/items")
queue_declare results
"$FIND_HASH" --queue job --quiet --enqueue - <"$scratch/items" ||
	fail "enqueue the items"
queue_wait_counts job 20 "$ITEMS 0" || fail "the items are in the queue"
log "seed $SEED: $ITEMS items ($(grep -c '^.\{12\}$' "$scratch/items") slow, about $SLOW s each), $WORKERS workers, proxy :$PROXY_PORT -> broker :$BROKER_PORT"

# --- the worker slots --------------------------------------------------------
slot() {
	local i=$1 run=0 st loop= pid
	[ $((i % 2)) = 1 ] && loop=--loop
	while [ ! -e "$state/stop" ]; do
		run=$((run + 1))
		# ASan wants its runtime first; the helper is harmless before it
		BROKER_URL=$WORKER_URL LD_PRELOAD="$scratch/killpoint.so" \
		JOBSIM_TOKENS=$tokens \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$FIND_HASH" --queue job --results-queue results \
			--connect-timeout 20 --wait 1 --heartbeat 2 --threads 1 \
			--seed "$WSEED" $loop \
			>"$state/out.$i.$run" 2>"$state/err.$i.$run" &
		pid=$!
		echo "$pid" >"$state/pid.$i"
		wait "$pid"
		st=$?
		rm -f "$state/pid.$i"
		echo "$i $run $st $pid" >>"$state/exits"
		sleep 0.2   # the restart back-off, kept short
	done
}
for i in $(seq "$WORKERS"); do
	slot "$i" 2>>"$state/slots.err" &
	SLOT_PIDS="$SLOT_PIDS $!"
done

# --- the fault driver ----------------------------------------------------------
kills=$(awk -v f="$KILL_FRACTION" -v n="$ITEMS" 'BEGIN { printf "%d", f * n + 0.5 }')
events=
# the two kill points first, while there is surely work: one of each when
# there are four kills or more; then SIGKILL or SIGTERM at random moments
k=0
if [ "$kills" -ge 4 ]; then
	events="ack publish"
	k=2
fi
while [ $k -lt "$kills" ]; do
	case $((RANDOM % 2)) in
	0) events="$events KILL" ;;
	1) events="$events TERM" ;;
	esac
	k=$((k + 1))
done
# restarts and cuts at random places among the kills (not first: let the
# workers get going)
for e in $(for i in $(seq "$RESTARTS"); do echo restart; done) \
	 $(for i in $(seq "$CUTS"); do echo cut; done); do
	set -- $events
	pos=$((1 + RANDOM % ($# > 1 ? $# : 1)))
	events=$(printf '%s\n' "$@" | awk -v p="$pos" -v e="$e" \
		'NR == p { print e } { print } END { if (NR < p) print e }' |
		tr '\n' ' ')
done
log "faults: $events"

declare -A injected=([KILL]=0 [TERM]=0 [publish]=0 [ack]=0 [restart]=0 [cut]=0)
missed=0
live_worker() {   # a random slot's running worker pid, or nothing
	local tries i pid
	for tries in $(seq 50); do
		i=$((1 + RANDOM % WORKERS))
		pid=$(cat "$state/pid.$i" 2>/dev/null)
		if [ -n "$pid" ] &&
		   grep -q find-hash "/proc/$pid/cmdline" 2>/dev/null; then
			echo "$pid"
			return
		fi
		sleep 0.1
	done
}
nap() { sleep "$(awk -v r=$((RANDOM % 1000)) -v a="$1" -v b="$2" \
	'BEGIN { printf "%.2f", a + (b - a) * r / 1000 }')"; }
kill_point() {   # arms $1, waits up to 15 s for a worker to die there
	local fired=$tokens/fired-$1 before after i
	before=$(cat "$fired" 2>/dev/null | wc -l)
	touch "$tokens/$1"
	for i in $(seq 150); do
		after=$(cat "$fired" 2>/dev/null | wc -l)
		[ "$after" -gt "$before" ] && return 0
		over && break
		sleep 0.1
	done
	rm -f "$tokens/$1"
	return 1
}
driver() {
	local e pid
	nap 0.5 1.5
	for e in $events; do
		over && break
		case $e in
		KILL | TERM)
			nap 0.1 0.8
			pid=$(live_worker)
			if [ -n "$pid" ] && kill -"$e" "$pid" 2>/dev/null; then
				injected[$e]=$((injected[$e] + 1))
			else
				missed=$((missed + 1))
			fi ;;
		publish | ack)
			if kill_point "$e"; then
				injected[$e]=$((injected[$e] + 1))
			else
				missed=$((missed + 1))
			fi ;;
		restart)
			nap 0.5 2
			log "broker stop_app"
			rmqctl stop_app >/dev/null 2>&1 || fail "stop_app"
			nap 1 3
			rmqctl start_app >/dev/null 2>&1 || fail "start_app"
			log "broker start_app"
			injected[restart]=$((injected[restart] + 1)) ;;
		cut)
			nap 0.5 2
			# silent first: longer than two heartbeats, so both
			# sides give the connections up; then a reset
			log "network frozen"
			proxy_freeze
			sleep 6
			proxy_thaw
			proxy_stop
			log "network reset, down"
			nap 0.5 2
			proxy_start ||
				broker_fail "the proxy did not listen on $PROXY_PORT"
			log "network up"
			injected[cut]=$((injected[cut] + 1)) ;;
		esac
	done
}
driver

# --- until the queue is done --------------------------------------------------
done_=0
while ! over; do
	if [ "$(queue_counts job)" = "0 0" ]; then
		done_=1
		break
	fi
	sleep 1
done
[ $done_ = 1 ] || fail "queue job not drained after ${TIMEOUT} s: counts '$(queue_counts job)'"
touch "$state/stop"
# idle workers end by themselves within --wait; give them a bound
hung=0
for i in $(seq 300); do
	alive=0
	for p in $SLOT_PIDS; do kill -0 "$p" 2>/dev/null && alive=1; done
	[ $alive = 0 ] && break
	sleep 0.1
done
for f in "$state"/pid.*; do
	[ -f "$f" ] || continue
	hung=$((hung + 1))
	fail "worker $(cat "$f") of slot ${f##*.} still running 30 s after the queue was done"
done
jobsim_cleanup
for p in $SLOT_PIDS; do wait "$p" 2>/dev/null; done

# --- verify the results -------------------------------------------------------------
nres=$(rmqctl list_queues name messages | awk '$1 == "results" { print $2 }')
: >"$scratch/results"
if [ "${nres:-0}" -gt 0 ]; then
	timeout 120 amqp-consume --url="$BROKER_URL" -q results -c "$nres" \
		-- sh -c 'cat; echo' >"$scratch/results" 2>"$scratch/consume.err" ||
		fail "draining $nres results: $(cat "$scratch/consume.err")"
fi
results=0 wrong=0 unknown=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	results=$((results + 1))
	p=$(printf %s "$line" | sed -n 's/.*"prefix":"\([0-9a-f]*\)".*/\1/p')
	s=$(printf %s "$line" | sed -n 's/.*"string":"\([A-Za-z0-9]*\)".*/\1/p')
	h=$(printf %s "$line" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
	d=$(printf %s "$s" | sha256sum | cut -d' ' -f1)
	if [ -z "$p" ] || [ -z "$s" ] || [ "$d" != "$h" ] ||
	   [ "${d#"$p"}" = "$d" ]; then
		wrong=$((wrong + 1))
		fail "wrong result: $line (sha256 of the string: $d)"
		continue
	fi
	if [ -z "${want[$p]+x}" ]; then
		unknown=$((unknown + 1))
		fail "a result for a prefix never enqueued: $line"
		continue
	fi
	want[$p]=$((want[$p] + 1))
done <"$scratch/results"
answered=0 lost=0 dups=0
for p in "${!want[@]}"; do
	if [ "${want[$p]}" -eq 0 ]; then
		lost=$((lost + 1))
		fail "lost: prefix $p has no result"
	else
		answered=$((answered + 1))
		dups=$((dups + want[$p] - 1))
	fi
done
[ "$(queue_counts job)" = "0 0" ] || fail "queue job not empty at the end"

# worker exits: 0 (done, or queue empty), 3 (the broker or the network
# went away), 137 (SIGKILL), 143 (SIGTERM) are the ones the faults cause
runs=$(wc -l <"$state/exits")
statuses=$(awk '{ n[$3]++ } END { for (s in n) printf "%s:%d ", s, n[s] }' \
	"$state/exits")
while read -r i run st pid; do
	case $st in
	0 | 3 | 137 | 143) ;;
	*) fail "worker $pid (slot $i, run $run) exited with status $st:"
	   cat "$state/err.$i.$run" >&2 ;;
	esac
done <"$state/exits"
# a worker told to stop by SIGTERM says so, and requeues what it held
term143=$(awk '$3 == 143' "$state/exits" | wc -l)
[ "$term143" -le "${injected[TERM]}" ] ||
	fail "$term143 workers exited 143, but only ${injected[TERM]} SIGTERMs were sent"
[ "${injected[ack]}" -le "$dups" ] ||
	fail "${injected[ack]} workers died between a confirmed result and its ack, but only $dups duplicates"

killed=$(( injected[KILL] + injected[TERM] + injected[publish] + injected[ack] ))
cat <<SUMMARY
jobsim summary (seed $SEED, $(( $(date +%s) - START )) s)
  items enqueued:        $ITEMS
  results:               $results
  prefixes answered:     $answered
  duplicates:            $dups
  losses:                $lost
  wrong answers:         $wrong
  unknown prefixes:      $unknown
  worker runs:           $runs with $WORKERS slots
  workers killed:        $killed (SIGKILL $((injected[KILL])), SIGTERM $((injected[TERM])), SIGKILL after publish $((injected[publish])), SIGKILL before ack $((injected[ack]))); $missed not injected
  broker restarts:       ${injected[restart]}
  network cuts:          ${injected[cut]}
  worker exits (status:count): $statuses
  hung workers:          $hung
SUMMARY
[ "${injected[restart]}" -eq "$RESTARTS" ] ||
	fail "${injected[restart]} of $RESTARTS broker restarts done"
[ "${injected[cut]}" -eq "$CUTS" ] || fail "${injected[cut]} of $CUTS network cuts done"
finish
