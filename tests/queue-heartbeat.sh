#!/bin/bash
# queue-heartbeat: with the broker's heartbeat at 1 s, a search that lasts
# many intervals keeps its connection (the worker services it from the
# search loop) and ends in a clean acknowledgement.
. "${top_srcdir:-.}/tests/test-env.sh"
. "${top_srcdir:-.}/tests/broker.sh"
BROKER_CONF_EXTRA='heartbeat = 1'
broker_start

# A search of known length: with --seed the candidates are fixed (a
# 36-character base, then the counter as 16 letters 'A' + nibble) and the
# engine returns the lowest matching counter.  So take the candidate at
# counter N, whose 12-digit digest prefix no earlier counter is likely to
# share (odds N / 2^48), and the worker must hash N candidates to find it.
seed=4242
"$FIND_HASH" --offline --seed $seed --threads 1 --json 00000 >"$scratch/probe" ||
	{ echo "offline probe failed" >&2; exit 99; }
base=$(sed 's/.*"string":"\([A-Za-z0-9]\{36\}\).*/\1/' "$scratch/probe")
tries=$(sed 's/.*"tries":\([0-9]*\).*/\1/' "$scratch/probe")
secs=$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' "$scratch/probe")
# aim at 10 s of searching on one thread: 10 heartbeat intervals
n=$(awk -v t="$tries" -v s="$secs" 'BEGIN { r = t / (s > 0.01 ? s : 0.01); printf "%d", r * 10 }')
cand=$base$(printf '%016x' "$n" | tr '0-9a-f' 'A-P')
prefix=$(printf %s "$cand" | sha256sum | cut -c1-12)

queue_declare job
queue_publish job "$prefix"
start=$(date +%s.%N)
"$FIND_HASH" --queue job --seed $seed --threads 1 --results-queue results \
	>"$scratch/out" 2>"$scratch/err" &
pid=$!
# While it searches: the connection's negotiated heartbeat is the broker's
# 1 s, not the 30 s the worker asks for.  (On a loaded machine the listing
# now and then comes back empty: ask again.)
queue_wait_counts job 10 "0 1" || fail "the worker holds the message"
for i in 1 2 3 4 5; do
	broker_connections timeout state >"$scratch/conns" 2>&1
	[ -s "$scratch/conns" ] && break
	sleep 0.5
done
expect_grep '^1[[:space:]]+running$' "$scratch/conns" "heartbeat 1 s negotiated"
wait_bounded $pid 120
status=$?
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "searched for $secs s with a 1 s heartbeat"
cat "$scratch/err" >&2
expect_status 0 $status "worker through a long search"
awk -v s="$secs" 'BEGIN { exit !(s >= 5) }' ||
	fail "the search took $secs s, not the 5+ heartbeat intervals meant"
read -r string digest rest <"$scratch/out"
check_answer "$prefix" "$string" "$digest"
[ "$string" = "$cand" ] || fail "answer $string, expected the candidate $cand"
queue_wait_counts job 5 "0 0" || fail "acknowledged: queue empty"
queue_wait_counts results 5 "1 0" || fail "result confirmed"
finish
