#!/bin/bash
# fuzz-short: a bounded run of each libFuzzer target (fuzz/) for make
# check: builds them with clang (-fsanitize=fuzzer,address,undefined) and
# runs each over its seed corpus, which holds the regressions of earlier
# findings, then for a fixed number of new inputs.  Any crash, sanitizer
# report or broken invariant fails the test.  No clang is a hard error
# (status 99), never a skip.  The long run is fuzz/run.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "$top_srcdir/tests/reliability/fuzz/build.sh"
top_builddir=${top_builddir:-$top_srcdir}
fuzz_build "$scratch/bin"
for t in $FUZZ_TARGETS; do
	mkdir -p "$scratch/corpus-$t"
	# -seed fixed: the same inputs on every run, so a failure repeats
	"$scratch/bin/fuzz_$t" -seed=1 -runs=20000 -max_len=4096 -timeout=10 \
		-artifact_prefix="$scratch/crash-$t-" \
		"$scratch/corpus-$t" "$top_srcdir/tests/reliability/fuzz/corpus/$t" \
		>"$scratch/log-$t" 2>&1
	st=$?
	if [ $st -ne 0 ] || ! grep -q '^Done 20000 runs' "$scratch/log-$t"; then
		fail "fuzz_$t: status $st"
		tail -n 40 "$scratch/log-$t" >&2
		for f in "$scratch"/crash-$t-*; do
			[ -f "$f" ] && { echo "input:" >&2; od -c "$f" | head -n 20 >&2; }
		done
	fi
	# every seed was read: a corpus directory that went missing from the
	# tarball would otherwise pass unnoticed
	n=$(ls "$top_srcdir/tests/reliability/fuzz/corpus/$t" | wc -l)
	[ "$n" -ge 5 ] || fail "fuzz_$t: only $n seeds in tests/reliability/fuzz/corpus/$t"
done
finish
