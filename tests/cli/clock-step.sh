#!/bin/sh
# clock-step: a step of the wall clock holds nothing up.  The loop that
# runs a search (signals, --timeout, the progress line, a worker's
# heartbeats) waits on the engine with a deadline; on the wall clock, one
# set back an hour would keep that wait, and the program deaf to SIGTERM,
# for the hour.  The helper (clock-ahead.c) makes the wall clock read an
# hour ahead of the kernel's, which is the same thing seen from the wait.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

preload=$(build_preload tests/cli/clock-ahead.c) || exit 99

# A 16-digit prefix is not found in the test's lifetime: only the signal
# and --timeout can end these runs.
LD_PRELOAD="$preload" "$FIND_HASH" --offline --quiet --threads 1 \
	0123456789abcdef >"$scratch/out" 2>"$scratch/err" &
pid=$!
sleep 1
kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $pid 2>/dev/null; then
	fail "SIGTERM not seen 10 s later with the wall clock an hour ahead"
	kill -9 $pid
fi
wait $pid
expect_status 143 $? "SIGTERM with the wall clock an hour ahead"

timeout 30 env LD_PRELOAD="$preload" "$FIND_HASH" --offline \
	--quiet --threads 1 --timeout 1 0123456789abcdef >"$scratch/out" 2>"$scratch/err"
st=$?
[ $st = 124 ] && fail "--timeout 1 still running 30 s later with the wall clock an hour ahead"
expect_status 1 $st "--timeout 1 with the wall clock an hour ahead"
finish
