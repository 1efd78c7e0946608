#!/bin/sh
# hardening-write: every path to stdout turns a failed write into
# status 5 and exactly one line naming standard output and the system's
# reason, --help and --usage (which popt prints before exiting) included:
# --help's text is longer than stdio's buffer, and its failed write was
# found only at exit, the reason lost ("write error on standard output").
. "${top_srcdir:-.}/tests/lib/test-env.sh"

[ -w /dev/full ] || { fail "/dev/full is missing: cannot test write errors"; finish; }

for opts in "--help" "--usage" "--version" "--offline 0ce" \
	"--offline --json 0ce 5a5" "--benchmark --threads 1 --timeout 0.1"; do
	# shellcheck disable=SC2086 # word splitting wanted
	"$FIND_HASH" $opts >/dev/full 2>"$scratch/err"
	expect_status 5 $? "$opts >/dev/full"
	expect_lines 1 "$scratch/err" "$opts >/dev/full"
	expect_grep "^find-hash: write error on standard output: No space left on device$" \
		"$scratch/err" "$opts >/dev/full message"
done
finish
