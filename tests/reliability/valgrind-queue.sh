#!/bin/bash
# valgrind-queue: a queue round trip under valgrind's memcheck: --enqueue,
# a one-shot worker publishing its result, a --loop worker over good and
# poison messages, and a worker finding the queue empty after --wait.
# Each must end with its usual status and with no memory error and no
# definite or indirect leak.
#
# In a --enable-sanitizers build valgrind cannot run the binary (ASan owns
# the address space): the same round trip then runs under AddressSanitizer
# with LeakSanitizer on, which fails the run on a leak as well.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
if nm "$FIND_HASH" 2>/dev/null | grep -q __asan_init ||
   ldd "$FIND_HASH" 2>/dev/null | grep -q libasan; then
	echo "sanitizer build: LeakSanitizer instead of valgrind"
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:exitcode=111"
	run() { "$FIND_HASH" "$@"; }
else
	command -v valgrind >/dev/null ||
		broker_fail "valgrind not found: install valgrind"
	run() {
		valgrind -q --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			--error-exitcode=111 --log-file="$scratch/vg.%p" \
			"$FIND_HASH" "$@"
	}
fi
broker_start
# check_run WANT STATUS WHAT: the status, and no report from the tool
check_run() {
	expect_status "$1" "$2" "$3"
	[ "$2" = 111 ] && fail "$3: memory errors or leaks"
	for f in "$scratch"/vg.*; do
		[ -s "$f" ] || continue
		fail "$3: valgrind says:"
		cat "$f" >&2
	done
	rm -f "$scratch"/vg.*
}

run --queue job --enqueue 0a 1b 2c3 >"$scratch/out" 2>"$scratch/err"
check_run 0 $? "--enqueue"
queue_wait_counts job 30 "3 0" || fail "three prefixes enqueued"

run --queue job --results-queue results --threads 2 \
	>"$scratch/out" 2>"$scratch/err"
check_run 0 $? "one-shot worker with --results-queue"
expect_lines 1 "$scratch/out" "one answer"
queue_wait_counts results 30 "1 0" || fail "one result published"

printf '\377zz\000' | queue_publish_stdin job || fail "publish poison"
run --queue job --results-queue results --loop --threads 1 --json \
	>"$scratch/out" 2>"$scratch/err"
check_run 4 $? "--loop over two prefixes and a poison message"
expect_lines 2 "$scratch/out" "--loop: two answers"
queue_wait_counts results 30 "3 0" || fail "three results"
queue_wait_counts job 30 "0 0" || fail "queue drained"

run --queue job --wait 1 >"$scratch/out" 2>"$scratch/err"
check_run 0 $? "empty queue after --wait"
expect_grep "is empty" "$scratch/err" "empty queue noted"

# broker errors too: a missing queue, an unreachable port
run --queue missing >"$scratch/out" 2>"$scratch/err"
check_run 3 $? "missing queue"
run --queue job --url "amqp://guest:guest@127.0.0.1:$((BROKER_PORT + 9))" \
	--connect-timeout 1 >"$scratch/out" 2>"$scratch/err"
check_run 3 $? "unreachable broker"
finish
