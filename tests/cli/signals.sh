#!/bin/sh
# signals: SIGINT, SIGTERM and SIGHUP stop the search promptly, print what
# was found, and exit 130, 143 and 129; a SIGHUP ignored on entry (nohup)
# stays ignored.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

for sig in INT TERM HUP; do
	want=$(signal_status $sig)
	# "0" is found at once; the 16-digit prefix keeps the search going.
	# SIGHUP as a terminal sends it, whatever this shell inherited.
	env --default-signal=HUP \
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
	expect_lines 1 "$scratch/err" "SIG$sig: one line on stderr"
done

# nohup: a SIGHUP ignored when the program starts does not stop it; a
# SIGTERM later still does, with what was found.
env --ignore-signal=HUP \
	"$FIND_HASH" --offline 0 0123456789abcdef >"$scratch/out" 2>"$scratch/err" &
pid=$!
sleep 1
kill -s HUP $pid
sleep 1
kill -0 $pid 2>/dev/null || fail "nohup: SIGHUP ended the run"
kill -s TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $pid 2>/dev/null && { fail "nohup: SIGTERM did not end it"; kill -9 $pid; }
wait $pid
expect_status 143 $? "nohup: SIGTERM after an ignored SIGHUP"
expect_lines 1 "$scratch/out" "nohup: the answer found"
finish
