#!/bin/bash
# hardening-input: what --enqueue and the worker read from the user.
# Prefixes on standard input that cannot all be read (a line too long for
# the memory left: getline's ENOMEM sets no error flag) were taken for the
# end of the input: the prefixes before that line were enqueued, the
# ones after it dropped, status 0.  Now nothing is enqueued, status 5,
# and a read error is status 5 as with --offline -, not 2.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
broker_start
queue_declare job

{ echo 0c; head -c 400000000 /dev/zero; echo; echo 0d; } |
	(ulimit -v 300000 || exit 99
	 exec "$FIND_HASH" --queue job --enqueue -) >"$scratch/out" 2>"$scratch/err"
expect_status 5 $? "--enqueue -: a line too long for memory"
expect_lines 1 "$scratch/err" "a line too long for memory: one line"
expect_grep "^find-hash: reading standard input \(line 2\): Cannot allocate memory; nothing was enqueued$" \
	"$scratch/err" "a line too long for memory: said"
queue_wait_counts job 15 "0 0" || fail "a line too long for memory: something was enqueued"

"$FIND_HASH" --queue job --enqueue - </ >"$scratch/out" 2>"$scratch/err"
expect_status 5 $? "--enqueue - from a directory"
expect_grep "^find-hash: reading standard input \(line 1\): Is a directory; nothing was enqueued$" \
	"$scratch/err" "--enqueue - from a directory: said"
queue_wait_counts job 15 "0 0" || fail "--enqueue - from a directory: something was enqueued"
finish
