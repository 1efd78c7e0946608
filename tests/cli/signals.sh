#!/bin/sh
# signals: SIGINT and SIGTERM stop the search promptly, print what was
# found, and exit 130 and 143.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

for sig in INT TERM; do
	want=130
	[ $sig = TERM ] && want=143
	# "0" is found at once; the 16-digit prefix keeps the search going.
	"$FIND_HASH" --offline 0 0123456789abcdef >"$scratch/out" 2>"$scratch/err" &
	pid=$!
	# wait until it is searching: the easy answer is known after a few ms,
	# but it is printed only at the end, so just give it time to start
	sleep 1
	kill -s $sig $pid
	# promptly: within 10 s it must be gone
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $pid 2>/dev/null; then
		fail "SIG$sig: still running 10 s later"
		kill -9 $pid
	fi
	wait $pid
	expect_status $want $? "SIG$sig"
	expect_lines 1 "$scratch/out" "answers printed after SIG$sig"
	read -r string digest <"$scratch/out"
	check_answer 0 "$string" "$digest"
	expect_grep "stopped by SIG$sig" "$scratch/err" "note on stderr"
done
finish
