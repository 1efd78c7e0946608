#!/bin/bash
# shard-times.sh: how long one 7-digit prefix takes when split over 1, 2
# and 4 shard workers, and how long the other workers run on after the
# first answer; on a private broker.  Not part of make check.
#
#   bench/shard-times.sh [ROUNDS [THREADS]]
#
# Each round draws a random 7-digit prefix (the same ROUNDS prefixes for
# every worker count), enqueues it with --split W and starts W one-shot
# workers at once, each with --threads THREADS (default 1: one worker is
# one single-CPU pod).  "answer" is the time from starting the workers to
# the solver's exit (its answer printed, confirmed and acked); "stop" is
# the time from that exit to the last worker's.  A search's length is
# random (geometric, mean 16^7 tries), so the means need several rounds.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
FIND_HASH=${FIND_HASH:-$top/src/find-hash}
rounds=${1:-5}
threads=${2:-1}
. "$top/tests/lib/broker.sh"
broker_start
export BROKER_URL
scratch=$(mktemp -d "${TMPDIR:-/tmp}/fh-shard-times.XXXXXX") || exit 1
trap 'broker_stop; rm -rf "$scratch"' EXIT
trap 'exit 1' HUP INT TERM

prefixes=$(for r in $(seq "$rounds"); do
	od -An -N4 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-7
done)
queue_declare results

echo "7-digit prefixes, $rounds rounds, --threads $threads per worker," \
	"$(nproc) CPUs"
printf '%-8s %10s %10s %10s %10s %8s\n' workers "answer" "(min" "max)" \
	"stop" "(max)"
for w in 1 2 4; do
	: >"$scratch/rows"
	r=0
	for p in $prefixes; do
		r=$((r + 1))
		q=job$w.$r
		queue_declare "$q"
		"$FIND_HASH" --queue "$q" --quiet --enqueue --split "$w" "$p" ||
			exit 1
		t0=$(date +%s.%N)
		pids=
		for k in $(seq "$w"); do
			(
				"$FIND_HASH" --queue "$q" --threads "$threads" \
					--results-queue results \
					>"$scratch/out$k" 2>"$scratch/err$k"
				echo "$? $(date +%s.%N)" >"$scratch/end$k"
			) &
			pids="$pids $!"
		done
		# the workers only: a bare wait would wait for the broker
		wait $pids
		solver_end=
		last=0
		for k in $(seq "$w"); do
			read -r st end <"$scratch/end$k"
			[ "$st" = 0 ] || echo "  round $r worker $k: status $st:" \
				"$(cat "$scratch/err$k")" >&2
			[ -s "$scratch/out$k" ] && solver_end=$end
			last=$(awk -v a="$last" -v b="$end" \
				'BEGIN { print (b > a ? b : a) }')
		done
		[ "$(queue_counts "$q")" = "0 0" ] ||
			echo "  round $r: $q left with $(queue_counts "$q")" >&2
		if [ -z "$solver_end" ]; then
			echo "  round $r: no answer" >&2
			continue
		fi
		awk -v t0="$t0" -v s="$solver_end" -v l="$last" \
			'BEGIN { printf "%.3f %.3f\n", s - t0, l - s }' \
			>>"$scratch/rows"
	done
	awk -v w="$w" '
		{ a += $1; g += $2; n++
		  if (n == 1 || $1 < amin) amin = $1
		  if ($1 > amax) amax = $1
		  if ($2 > gmax) gmax = $2 }
		END { if (n) printf "%-8s %9.2fs %9.2fs %9.2fs %9.2fs %7.2fs\n",
			w, a / n, amin, amax, g / n, gmax }' "$scratch/rows"
done
echo "answer: start of the workers to the solver's exit (mean, min, max);"
echo "stop: the solver's exit to the last worker's exit (mean, max)."
