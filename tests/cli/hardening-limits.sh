#!/bin/sh
# hardening-limits: a million prefixes on standard input, more than the
# memory left can hold, are the machine's trouble, not the user's: status
# 5 and one line saying so with the system's words, for --offline and
# --enqueue alike, and nothing searched or enqueued.  They were a usage
# error (2), "out of memory for 262144 prefixes", which a Job's
# podFailurePolicy reads as a bad configuration, never to be retried.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
# --enqueue reads every prefix before it connects: no broker is needed,
# and one on this port would be a mistake (nobody listens there)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BROKER_URL="amqp://guest:guest@127.0.0.1:$port"

# 1,000,000 valid 10-digit prefixes: about 140 MB once parsed, under a
# 100 MB address-space limit
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "%010x\n", i * 7919 }' \
	>"$scratch/many"
[ "$(wc -l <"$scratch/many")" = 1000000 ] || { echo "awk wrote no prefixes" >&2; exit 99; }

for mode in offline enqueue; do
	if [ $mode = offline ]; then
		set -- --offline --threads 1 --max-tries 1 -
	else
		set -- --queue job --enqueue -
	fi
	(ulimit -v 100000 || exit 99
	 exec "$FIND_HASH" "$@") <"$scratch/many" >"$scratch/out" 2>"$scratch/err"
	expect_status 5 $? "$mode: a million prefixes, memory for fewer"
	expect_lines 1 "$scratch/err" "$mode: one line"
	expect_grep "out of memory for [0-9]+ prefixes: Cannot allocate memory" \
		"$scratch/err" "$mode: says it is memory, in the system's words"
	[ -s "$scratch/out" ] && fail "$mode: something on stdout"
done
expect_grep "nothing enqueued" "$scratch/err" "enqueue: says nothing was enqueued"

# the limit itself is no usage error: a few prefixes under it still work
printf '0c\n0d\n' | (ulimit -v 100000 || exit 99
	exec "$FIND_HASH" --offline --threads 1 -) >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "two prefixes under the same limit"
expect_lines 2 "$scratch/out" "two prefixes: two answers"
finish
