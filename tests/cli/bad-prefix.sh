#!/bin/sh
# bad-prefix: bad prefixes and bad option values exit 2 with one line
# on stderr that names the value, and nothing on stdout.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

long=$(printf '%065d' 0)
bad_run() { # WHAT-TO-FIND-IN-STDERR ARGS...
	want=$1
	shift
	"$FIND_HASH" "$@" >"$scratch/out" 2>"$scratch/err"
	status=$?
	expect_status 2 $status "find-hash $*"
	[ -s "$scratch/out" ] && fail "stdout not empty for: $*"
	expect_lines 1 "$scratch/err" "stderr for: $*"
	grep -Fq -- "$want" "$scratch/err" || { fail "stderr for '$*' does not name '$want':"; cat "$scratch/err" >&2; }
}

bad_run "'xyz'" --offline xyz
bad_run "''" --offline ""
bad_run "too long" --offline "$long"
bad_run "0x" --offline 0x0ce
bad_run "'12 34'" --offline "12 34"
bad_run "\\x01" --offline "$(printf 'ab\001')"
bad_run "'zz'" --offline 0ce zz
bad_run "needs at least one PREFIX" --offline
bad_run "'0'" --threads 0 --offline 0ce
bad_run "'abc'" --threads abc --offline 0ce
bad_run "'-5'" --max-tries -5 --offline 0ce
bad_run "'soon'" --timeout soon --offline 0ce
bad_run "'x1'" --seed x1 --offline 0ce
bad_run "3/3" --shard 3/3 --offline 0ce
bad_run "'0/0'" --shard 0/0 --offline 0ce
bad_run "JOB_COMPLETION_INDEX" --shards 4 --offline 0ce
bad_run "'nosuch'" --kernel nosuch --offline 0ce
bad_run "no mode" 0ce
bad_run "one mode" --offline --benchmark 0ce
bad_run "--bogus" --bogus
bad_run "--enqueue needs --queue" --enqueue 0ce
bad_run "--url needs --queue" --offline 0ce --url amqp://localhost/
bad_run "--results-queue needs --queue" --results-queue=r --offline 0ce
JOB_COMPLETION_INDEX=9 bad_run "9/4" --shards 4 --offline 0ce
JOB_COMPLETION_INDEX=x bad_run "'x'" --shards 4 --offline 0ce
FIND_HASH_KERNEL=nosuch bad_run "'nosuch'" --offline 0ce
finish
