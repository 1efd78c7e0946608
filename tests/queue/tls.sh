#!/bin/bash
# tls: amqps:// verifies the broker's certificate and host name by
# default (--cacert gives the CA), --insecure turns both checks off, and
# --cert/--key present a client certificate to a broker that requires one.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
. "${top_srcdir:-.}/tests/lib/broker.sh"
BROKER_TLS=require
broker_start
tls=$BROKER_TLS_DIR
queue_declare job
show_err() { local st=$?; sed 's/^/  stderr: /' "$scratch/err" >&2; return $st; }
url="amqps://guest:guest@localhost:$BROKER_TLS_PORT"
client="--cert $tls/client.pem --key $tls/client.key"

# On a failure, what the broker said of TLS: a Debian 13 run once saw
# every handshake fail ("a SSL error occurred") in this test alone, and
# the broker's side is what tells why.
tls_log() {
	[ "$failures" -gt 0 ] || return 0
	echo "broker log, TLS lines:" >&2
	grep -hiE 'tls|ssl|handshake|certificate' "$BROKER_DIR"/log/*.log 2>/dev/null |
		tail -n 40 >&2
}
cleanup_hooks="tls_log $cleanup_hooks"

# The node is up (await_startup) before its TLS listener may take a
# handshake: wait for one, from openssl itself, before the program's.
i=0
until openssl s_client -connect "localhost:$BROKER_TLS_PORT" -CAfile "$tls/ca.pem" \
	-cert "$tls/client.pem" -key "$tls/client.key" -verify_return_error \
	</dev/null >"$scratch/s_client" 2>&1; do
	i=$((i + 1))
	if [ $i -ge 30 ]; then
		fail "no TLS handshake with the broker in 30 s (openssl s_client)"
		tail -n 20 "$scratch/s_client" >&2
		break
	fi
	sleep 1
done

# verified, with a client certificate: works, and solves a prefix
queue_publish job 0ce
"$FIND_HASH" --queue job --url "$url" --cacert "$tls/ca.pem" $client \
	>"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "verified TLS with a client certificate"
read -r string digest rest <"$scratch/out"
check_answer 0ce "$string" "$digest"
queue_wait_counts job 15 "0 0" || fail "acknowledged over TLS"

# --enqueue over TLS too
"$FIND_HASH" --queue job --enqueue --url "$url" --cacert "$tls/ca.pem" \
	$client 0a 2>"$scratch/err"
expect_status 0 $? "--enqueue over TLS"
queue_wait_counts job 15 "1 0" || fail "enqueued over TLS"

# the broker requires a client certificate
"$FIND_HASH" --queue job --url "$url" --cacert "$tls/ca.pem" \
	>"$scratch/out" 2>"$scratch/err"
show_err; expect_status 3 $? "no client certificate"
expect_lines 1 "$scratch/err" "no client certificate: one line"
expect_grep "client certificate" "$scratch/err" "no client certificate: hint"

# a CA that did not sign the broker's certificate: refused
"$FIND_HASH" --queue job --url "$url" --cacert "$tls/other.pem" $client \
	>"$scratch/out" 2>"$scratch/err"
show_err; expect_status 3 $? "wrong CA"
expect_lines 1 "$scratch/err" "wrong CA: one line"
expect_grep "peer" "$scratch/err" "wrong CA: says the peer check failed"

# no --cacert: the system's CAs, which do not know this test CA
SSL_CERT_FILE=$tls/other.pem "$FIND_HASH" --queue job --url "$url" $client \
	>"$scratch/out" 2>"$scratch/err"
show_err; expect_status 3 $? "default CAs"

# an IP address is not the name on the certificate
"$FIND_HASH" --queue job --cacert "$tls/ca.pem" $client \
	--url "amqps://guest:guest@127.0.0.1:$BROKER_TLS_PORT" \
	>"$scratch/out" 2>"$scratch/err"
show_err; expect_status 3 $? "host name mismatch"
expect_grep "host ?name|hostname" "$scratch/err" "host name check named"

# --insecure: neither check, still encrypted
"$FIND_HASH" --queue job --insecure $client \
	--url "amqps://guest:guest@127.0.0.1:$BROKER_TLS_PORT" \
	>"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--insecure"
queue_wait_counts job 15 "0 0" || fail "--insecure worker acknowledged"

# TLS options on a plain URL, or half a key pair: usage errors
"$FIND_HASH" --queue job --cacert "$tls/ca.pem" 2>"$scratch/err"
expect_status 2 $? "--cacert with amqp://"
"$FIND_HASH" --queue job --url "$url" --cert "$tls/client.pem" 2>"$scratch/err"
expect_status 2 $? "--cert without --key"
"$FIND_HASH" --queue job --url "$url" --cacert "$scratch/none.pem" 2>"$scratch/err"
expect_status 2 $? "unreadable --cacert"
finish
