#!/bin/sh
# hardening-messages: each odd value gets one line that names what is
# wrong and where it came from: the give-up bound as given, the --timeout
# limit, JOB_COMPLETION_INDEX and FIND_HASH_KERNEL by name, an empty
# --kernel; --shard without --seed warns; the progress line shows 16^d for
# long prefixes.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

# expect_err WANT STATUS GOT WHAT: stderr is exactly the line WANT
expect_err() {
	expect_status "$2" "$3" "$4"
	[ "$(cat "$scratch/err")" = "$1" ] ||
		fail "$4: stderr '$(cat "$scratch/err")', expected '$1'"
}

"$FIND_HASH" --offline --quiet --timeout 0.2 0123456789abcdef 2>"$scratch/err"
st=$?
sed -i 's/, [0-9]* tries)$/, N tries)/' "$scratch/err"
expect_err "find-hash: 0123456789abcdef: not found within the give-up bound (--timeout 0.2, N tries)" 1 $st "--timeout bound"
"$FIND_HASH" --offline --max-tries 1k --timeout 30 0123456789abcdef 2>"$scratch/err"
expect_err "find-hash: 0123456789abcdef: not found within the give-up bound (--max-tries 1k --timeout 30, 1000 tries)" 1 $? "both bounds"

"$FIND_HASH" --offline --timeout 1e10 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid --timeout '1e10': too large, at most 1000000000 seconds" 2 $? "--timeout 1e10"
"$FIND_HASH" --offline --timeout 1e999 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid --timeout '1e999': too large, at most 1000000000 seconds" 2 $? "--timeout 1e999"
"$FIND_HASH" --offline --timeout 1e-999 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid --timeout '1e-999': not a number of seconds > 0" 2 $? "--timeout 1e-999"
# strtod reads hexadecimal too: 0x10 was 16 seconds
"$FIND_HASH" --offline --timeout 0x10 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid --timeout '0x10': not a decimal number of seconds" 2 $? "--timeout 0x10"
"$FIND_HASH" --offline --timeout inf 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid --timeout 'inf': not a decimal number of seconds" 2 $? "--timeout inf"

JOB_COMPLETION_INDEX=7 "$FIND_HASH" --offline --seed 1 --shards 4 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid shard '7/4': JOB_COMPLETION_INDEX 7 is not less than --shards 4" 2 $? "index past --shards"
JOB_COMPLETION_INDEX=x "$FIND_HASH" --offline --seed 1 --shards 4 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid JOB_COMPLETION_INDEX 'x': not a whole number" 2 $? "index not a number"
# 0 is a valid index: the message said "positive"
JOB_COMPLETION_INDEX=-0 "$FIND_HASH" --offline --seed 1 --shards 4 0 >/dev/null 2>"$scratch/err"
expect_err "find-hash: invalid JOB_COMPLETION_INDEX '-0': not a whole number" 2 $? "index -0"

FIND_HASH_KERNEL=bogus "$FIND_HASH" --offline 0 >/dev/null 2>"$scratch/err"
expect_status 2 $? "FIND_HASH_KERNEL=bogus"
expect_lines 1 "$scratch/err" "FIND_HASH_KERNEL=bogus"
expect_grep "^find-hash: unknown kernel 'bogus' in FIND_HASH_KERNEL \(this build has: .*portable.*\)$" \
	"$scratch/err" "FIND_HASH_KERNEL=bogus message"
"$FIND_HASH" --offline --kernel bogus 0 >/dev/null 2>"$scratch/err"
expect_grep "^find-hash: unknown kernel 'bogus' \(this build has: " "$scratch/err" "--kernel bogus message"
"$FIND_HASH" --offline --kernel "" 0 >"$scratch/out" 2>"$scratch/err"
expect_err "find-hash: invalid --kernel '': empty (see --benchmark)" 2 $? "--kernel ''"
[ -s "$scratch/out" ] && fail "--kernel '' printed $(cat "$scratch/out")"

for opt in "--shard 0/2" "--shards 2"; do
	# shellcheck disable=SC2086 # word splitting wanted
	JOB_COMPLETION_INDEX=0 "$FIND_HASH" --offline $opt 0 >"$scratch/out" 2>"$scratch/err"
	expect_err "find-hash: warning: ${opt% *} without --seed: each shard draws its own random candidates, so shards overlap; give all shards one --seed" 0 $? "$opt without --seed"
	expect_lines 1 "$scratch/out" "$opt without --seed: the answer"
	# shellcheck disable=SC2086
	JOB_COMPLETION_INDEX=0 "$FIND_HASH" --offline --seed 1 $opt 0 >/dev/null 2>"$scratch/err"
	expect_err "" 0 $? "$opt with --seed"
done

# the expected tries of a 40-digit prefix as a power, not a cut number
if command -v script >/dev/null && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	p40=0123456789abcdef0123456789abcdef01234567
	script -qec "'$FIND_HASH' --offline --seed 1 --timeout 0.5 --threads 1 $p40 >/dev/null" \
		"$scratch/typescript" </dev/null >/dev/null 2>&1
	expect_grep ' tries of ~16\^40 expected  ETA ' "$scratch/typescript" "progress line, 40 digits"
	script -qec "'$FIND_HASH' --offline --seed 1 --timeout 0.5 --threads 1 0123456789abcdef >/dev/null" \
		"$scratch/typescript" </dev/null >/dev/null 2>&1
	expect_grep ' tries of ~18\.4E expected  ETA ' "$scratch/typescript" "progress line, 16 digits"
else
	fail "script(1) cannot give a terminal: cannot test the progress line"
fi
finish
