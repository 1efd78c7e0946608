#!/bin/sh
# hardening-early: an offline answer is printed as soon as it is
# settled (no thread can still find a lower counter for it), not when the
# run ends: a run killed while a hard prefix is still open has already
# printed the easy one, and the printed answer is still the lowest counter
# (the same for any --threads with one --seed).
. "${top_srcdir:-.}/tests/lib/test-env.sh"

"$FIND_HASH" --offline --seed 9 0 >"$scratch/alone" 2>"$scratch/err"
expect_status 0 $? "the easy prefix alone"

# run_killed THREADS OUT [OPTIONS]: starts a run with an easy prefix and
# one that takes days (12 digits), waits up to 30 s for a line in OUT,
# then kills the run with SIGKILL: nothing at exit can print it.
run_killed() {
	threads=$1 out=$2
	shift 2
	"$FIND_HASH" --offline --quiet --seed 9 --threads "$threads" "$@" \
		000000000000 0 >"$out" 2>"$scratch/err" &
	pid=$!
	i=0
	while [ ! -s "$out" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3 # a second line, if one came, would be wrong: let it show
	kill -KILL $pid
	wait $pid 2>/dev/null
}

for t in 1 3; do
	run_killed $t "$scratch/out-$t"
	expect_lines 1 "$scratch/out-$t" "killed run, $t thread(s)"
	read -r string digest rest <"$scratch/out-$t"
	check_answer 0 "${string:-}" "${digest:-}"
	cmp -s "$scratch/alone" "$scratch/out-$t" ||
		fail "$t thread(s): printed $(cat "$scratch/out-$t"), alone: $(cat "$scratch/alone")"
done

# --json: one object per line, flushed as it is printed
run_killed 2 "$scratch/json" --json
expect_lines 1 "$scratch/json" "killed --json run"
string=$(sed -n 's/.*"string":"\([A-Za-z0-9]*\)".*/\1/p' "$scratch/json")
digest=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$scratch/json")
expect_grep '^\{"prefix":"0",.*\}$' "$scratch/json" "--json line"
check_answer 0 "$string" "$digest"
[ "$string" = "$(cut -d' ' -f1 "$scratch/alone")" ] ||
	fail "--json: $string, alone: $(cat "$scratch/alone")"
finish
