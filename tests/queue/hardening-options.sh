#!/bin/bash
# hardening-options: option values the queue mode would misread are
# usage errors (2) with one line naming the option, before any connection:
# an empty or self-referring --results-queue, nan/inf/negative seconds,
# and search options given to --enqueue, which never searches.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
# a loopback port nobody listens on: reaching for the broker would end in
# status 3, not 2
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BROKER_URL="amqp://guest:guest@127.0.0.1:$port"

# usage WHAT PATTERN ARGS...: exit 2, one line matching PATTERN
usage() {
	local what=$1 pattern=$2
	shift 2
	# bounded: "--connect-timeout inf" used to retry forever
	JOB_COMPLETION_INDEX=0 timeout 20 "$FIND_HASH" "$@" >"$scratch/out" 2>"$scratch/err"
	expect_status 2 $? "$what"
	expect_lines 1 "$scratch/err" "$what: one line"
	expect_grep "^find-hash: .*$pattern" "$scratch/err" "$what: names the cause"
	[ -s "$scratch/out" ] && fail "$what: something on stdout"
}

usage "--results-queue ''" "--results-queue needs a queue name" \
	--queue job --results-queue ''
usage "--results-queue = --queue" "--results-queue 'job' is the input queue" \
	--queue job --results-queue job

for v in nan NaN inf -inf -1 1e300; do
	usage "--wait $v" "--wait .*seconds from 0" --queue job --wait "$v"
	usage "--connect-timeout $v" "--connect-timeout .*seconds from 0" \
		--queue job --connect-timeout "$v"
done

usage "--enqueue --shard" "--shards? has no effect with --enqueue" \
	--queue job --enqueue --shard 1/2 abc
usage "--enqueue --shards" "--shards? has no effect with --enqueue" \
	--queue job --enqueue --shards 2 abc
usage "--enqueue --max-tries" "--max-tries has no effect with --enqueue" \
	--queue job --enqueue --max-tries 1000 abc
usage "--enqueue --timeout" "--timeout has no effect with --enqueue" \
	--queue job --enqueue --timeout 5 abc
usage "--enqueue --json" "--json has no effect with --enqueue" \
	--queue job --enqueue --json abc
usage "--enqueue --seed" "--seed.*not --enqueue" \
	--queue job --enqueue --seed 7 abc

# --count 0 took and solved one message; a queue name past AMQP's 255
# bytes failed at the broker as "invalid AMQP data" (status 3)
usage "--count 0" "--count '0': expected a decimal number from 1 to 2147483647" --queue job --count 0
usage "--count -3" "--count '-3': expected a decimal number from 1 to" --queue job --count -3
# popt's own numbers read "010" as octal, "0x10" as hex, and took a
# blank or a sign; --wait and --connect-timeout took hex floats
for v in 0x10 ' 5' 1e1 2147483648 ''; do
	usage "--count '$v'" "--count '$v': expected a decimal number from 1 to" \
		--queue job --count "$v"
done
for v in 0x10 ' 5' -1 65536 ''; do
	usage "--heartbeat '$v'" "--heartbeat '$v': expected a decimal number of seconds from 0 to 65535" \
		--queue job --heartbeat "$v"
done
usage "--count +3" "--count '\\+3': expected a decimal number" --queue job --count +3
usage "--heartbeat +3" "--heartbeat '\\+3': expected a decimal number" --queue job --heartbeat +3
for v in 0x10 0x1p3 ' 1' '' 1e ; do
	usage "--wait '$v'" "--wait '$v': expected a decimal number of seconds from 0" \
		--queue job --wait "$v"
	usage "--connect-timeout '$v'" "--connect-timeout '$v': expected a decimal number of seconds from 0" \
		--queue job --connect-timeout "$v"
done
long=$(printf 'q%.0s' $(seq 256))
usage "--queue of 256 bytes" "--queue: a queue name is at most 255 bytes" --queue "$long"
usage "--queue of 256 bytes, --enqueue" "--queue: a queue name is at most 255 bytes" \
	--queue "$long" --enqueue abc
usage "--results-queue of 256 bytes" "--results-queue: a queue name is at most 255 bytes" \
	--queue job --results-queue "$long"
# a CR or LF, as a ConfigMap's value written as a YAML block ends: the
# broker drops them when it declares a queue, not when it routes to it or
# gives from it, so --enqueue published to no queue and a worker found
# none (status 3, after connecting)
for name in $'job\n' $'jo\rb' $'\njob'; do
	usage "--queue with CR or LF" "--queue '.*': a queue name holds no CR or LF" \
		--queue "$name"
	usage "--queue with CR or LF, --enqueue" "--queue '.*': a queue name holds no CR or LF" \
		--queue "$name" --enqueue abc
	usage "--results-queue with CR or LF" \
		"--results-queue '.*': a queue name holds no CR or LF" \
		--queue job --results-queue "$name"
done
usage "--queue with LF: shown escaped" "--queue 'job\\\\x0a': a queue name" \
	--queue $'job\n'
# a vhost over AMQP's 255 bytes failed at login, as "invalid AMQP data"
# (status 3); 255 bytes, %XX decoded, are a vhost
v256=$(printf 'v%.0s' $(seq 254))%2Fv
usage "vhost of 256 bytes" "the vhost is over 255 bytes" --queue job \
	--url "amqp://guest:guest@127.0.0.1:$port/$v256"
timeout 20 "$FIND_HASH" --queue job --url "amqp://guest:guest@127.0.0.1:$port/${v256#v}" \
	>/dev/null 2>"$scratch/err"
expect_status 3 $? "vhost of 255 bytes: taken, the broker is tried"
# %00 ended the user name there: "guest%00evil" logged in as guest
usage "%00 in the user" "%00 .a NUL byte. in the URL" --queue job \
	--url "amqp://guest%00evil:Secr3t@127.0.0.1:$port/x"
grep -q Secr3t "$scratch/err" && fail "%00 in the user: the password is printed"
usage "%00 in the vhost" "%00 .a NUL byte. in the URL" --queue job \
	--url "amqp://guest:guest@127.0.0.1:$port/x%00y"

# what stays accepted goes on to the (absent) broker: status 3
"$FIND_HASH" --queue job --count 1 >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "--count 1"
# a leading 0 is decimal: popt refused 08 and 09 as bad octal
"$FIND_HASH" --queue job --count 09 --heartbeat 08 --wait 0.5e1 \
	--connect-timeout 00 >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "--count 09 --heartbeat 08 --wait 0.5e1 --connect-timeout 00"
"$FIND_HASH" --queue "${long%q}" >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "--queue of 255 bytes"
"$FIND_HASH" --queue job --enqueue --split 2 --seed 7 abc >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "--enqueue --split --seed"
"$FIND_HASH" --queue job --results-queue results --wait 0.5 >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "--results-queue results --wait 0.5"
finish
