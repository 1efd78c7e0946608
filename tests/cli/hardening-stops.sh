#!/bin/sh
# hardening-stops: a signal or a dead stdout ends a run the documented way
# in every phase, not only while the search runs:
#  - SIGINT/SIGTERM while reading prefixes from stdin, or while blocked
#    writing answers to a full pipe, is a stop (130/143, "stopped by"),
#    not a read or write error (a handler without SA_RESTART makes the
#    read or write fail with EINTR);
#  - a failed write to stdout ends the search: with SIGPIPE ignored,
#    nothing else would, and no answer can reach anyone any more;
#  - --benchmark stops on SIGINT too;
#  - blank lines of \v and \f on stdin are skipped, as --enqueue - does;
#  - FIND_HASH_KERNEL, often set for a whole pod, does not stop --enqueue,
#    which searches nothing.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

[ -w /dev/full ] || { fail "/dev/full is missing: cannot test write errors"; finish; }

# wait_in PID PATTERN: until the process sleeps in a kernel function that
# matches (its wchan: pipe_read, pipe_write), so that the signal lands in
# the blocking call and not before it; at most 10 s, then on regardless
# (a kernel that hides wchan only makes the test less sharp).
wait_in() {
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$2" "/proc/$1/wchan" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "note: pid $1 never showed $2 in its wchan" >&2
}

# wait_gone PID WHAT: the process ends within 20 s; its status in $st.
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		fail "$2: still running 20 s after the signal"
		kill -9 "$1"
	fi
	wait "$1"
	st=$?
}

# 1. A signal while --offline - waits for stdin.
for sig in INT TERM; do
	want=130
	[ $sig = TERM ] && want=143
	mkfifo "$scratch/in-$sig"
	"$FIND_HASH" --offline - <"$scratch/in-$sig" >"$scratch/out" 2>"$scratch/err" &
	pid=$!
	exec 3>"$scratch/in-$sig" # the writer stays open: the read blocks
	wait_in $pid pipe_read
	kill -$sig $pid
	wait_gone $pid "SIG$sig while reading stdin"
	exec 3>&-
	expect_status $want $st "SIG$sig while reading stdin"
	expect_lines 1 "$scratch/err" "SIG$sig while reading stdin"
	expect_grep "^find-hash: stopped by SIG$sig while reading prefixes from stdin$" \
		"$scratch/err" "SIG$sig while reading stdin"
done

# ... and while --enqueue - reads them (before it connects: no broker).
mkfifo "$scratch/in-enqueue"
"$FIND_HASH" --queue q --enqueue - --url amqp://guest:guest@127.0.0.1:1/ \
	<"$scratch/in-enqueue" >"$scratch/out" 2>"$scratch/err" &
pid=$!
exec 3>"$scratch/in-enqueue"
wait_in $pid pipe_read
kill -TERM $pid
wait_gone $pid "SIGTERM while --enqueue - reads stdin"
exec 3>&-
expect_status 143 $st "SIGTERM while --enqueue - reads stdin"
expect_lines 1 "$scratch/err" "SIGTERM while --enqueue - reads stdin"
expect_grep "^find-hash: stopped by signal 15 while reading standard input: nothing was enqueued$" \
	"$scratch/err" "SIGTERM while --enqueue - reads stdin"

# 2. SIGTERM while a write to stdout is blocked on a full pipe: 4096
# answers are some 480 KB, more than a pipe holds, and nobody reads.
i=0
while [ $i -lt 4096 ]; do
	printf '%03x\n' $i
	i=$((i + 1))
done >"$scratch/prefixes"
mkfifo "$scratch/out-fifo"
exec 4<>"$scratch/out-fifo" # a reader that never reads
"$FIND_HASH" --offline --seed 1 - <"$scratch/prefixes" >"$scratch/out-fifo" 2>"$scratch/err" &
pid=$!
wait_in $pid pipe_write
kill -TERM $pid
wait_gone $pid "SIGTERM while writing"
exec 4>&-
expect_status 143 $st "SIGTERM while blocked writing to stdout"
expect_grep "^find-hash: stopped by SIGTERM after [0-9]+ tries$" "$scratch/err" \
	"SIGTERM while writing"
grep -q "write error" "$scratch/err" &&
	fail "SIGTERM while writing was reported as a write error: $(cat "$scratch/err")"

# 3. A failed write ends the search: the 16-digit prefix would take years.
timeout 60 "$FIND_HASH" --offline --seed 1 --threads 1 0 0123456789abcdef \
	>/dev/full 2>"$scratch/err"
st=$?
[ $st = 124 ] && fail "the search went on after the write to stdout failed"
expect_status 5 $st ">/dev/full with a prefix not yet found"
expect_lines 1 "$scratch/err" ">/dev/full with a prefix not yet found"
expect_grep "^find-hash: write error on standard output: No space left on device$" \
	"$scratch/err" ">/dev/full with a prefix not yet found"

# 4. --benchmark and SIGINT: each kernel would run 30 s.
"$FIND_HASH" --benchmark --threads 1 --timeout 30 >"$scratch/out" 2>"$scratch/err" &
pid=$!
i=0 # its threads started: the measurement runs
while [ "$(ls "/proc/$pid/task" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT $pid
wait_gone $pid "--benchmark and SIGINT"
expect_status 130 $st "--benchmark and SIGINT"
expect_grep "^find-hash: stopped by SIGINT during the [a-z0-9]+ kernel's run$" \
	"$scratch/err" "--benchmark and SIGINT"

# 5. Blank lines of any blank, as --enqueue - reads them.
printf '0ce\n\f\n\v\n \t\r\n' | "$FIND_HASH" --offline --seed 1 - >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "blank lines with \\f and \\v"
expect_lines 1 "$scratch/out" "blank lines with \\f and \\v"

# 6. --enqueue does not read FIND_HASH_KERNEL: it gets as far as the
# broker (none on port 1: status 3), not a usage error about a kernel.
FIND_HASH_KERNEL=junk "$FIND_HASH" --queue q --enqueue 0ce \
	--url amqp://guest:guest@127.0.0.1:1/ --connect-timeout 5 \
	>"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "FIND_HASH_KERNEL=junk --enqueue"
grep -q kernel "$scratch/err" &&
	fail "--enqueue read FIND_HASH_KERNEL: $(cat "$scratch/err")"
finish
