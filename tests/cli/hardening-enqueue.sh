#!/bin/sh
# hardening-enqueue: --enqueue searches nothing, so the options that
# only shape a search are usage errors with it, not silently ignored;
# and the same for --benchmark, which takes --threads, --timeout and
# --kernel only.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

# no broker is needed: the refusal comes before any connection
for opt in "--shard 0/2" "--shards 2" "--max-tries 1k" "--timeout 5" \
	"--threads 2" "--kernel portable" "--json"; do
	# shellcheck disable=SC2086
	"$FIND_HASH" --queue q --enqueue --url amqp://127.0.0.1:1 $opt 0ce >/dev/null 2>"$scratch/err"
	st=$?
	expect_status 2 $st "--enqueue $opt"
	want="find-hash: ${opt% *} has no effect with --enqueue (give it to the workers)"
	[ "$(cat "$scratch/err")" = "$want" ] ||
		fail "--enqueue $opt: stderr '$(cat "$scratch/err")', expected '$want'"
done

for opt in "--max-tries 1k" "--seed 3" "--shard 0/2" "--shards 2" "--json"; do
	# shellcheck disable=SC2086
	"$FIND_HASH" --benchmark --timeout 0.05 $opt >"$scratch/out" 2>"$scratch/err"
	st=$?
	expect_status 2 $st "--benchmark $opt"
	want="find-hash: ${opt% *} has no effect with --benchmark (it takes --threads, --timeout and --kernel)"
	[ "$(cat "$scratch/err")" = "$want" ] ||
		fail "--benchmark $opt: stderr '$(cat "$scratch/err")', expected '$want'"
	[ -s "$scratch/out" ] && fail "--benchmark $opt: measured anyway"
done
# what it takes still works
"$FIND_HASH" --benchmark --threads 1 --timeout 0.05 --kernel portable >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--benchmark --threads 1 --timeout 0.05 --kernel portable"
expect_grep "^portable .*MH/s  .selected.$" "$scratch/out" "--benchmark marks the kernel given"

finish
