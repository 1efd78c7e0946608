#!/bin/bash
# hardening-url: a malformed broker URL never prints its password,
# whichever way it comes (--url, BROKER_URL, --url-file); an empty host is
# a usage error, never a connection to this machine with the credentials;
# a port out of range, a port that is not digits only and a --url-file
# that is a directory say so; a leading zero in a port is only a zero.
# A --url-file that is the wrong file (/dev/zero, a binary without a
# newline) is read no further than 4096 bytes and said to be no URL: it
# used to be read whole into memory, and its NULs made it "" (status 2,
# blaming an empty URL), after taking all the memory there was.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
secret=Secr3tPW

# A loopback listener that records every connection it accepts: nothing
# may reach it from a URL without a host.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    open(sys.argv[2], "a").write("connection\n")
    c.close()
' "$port" "$scratch/connections" >"$scratch/listener.out" 2>&1 &
listener=$!
stop_listener() { kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; }
cleanup_hooks="stop_listener $cleanup_hooks"
for i in $(seq 50); do
	grep -q listening "$scratch/listener.out" && break
	sleep 0.1
done

# run WHAT URL [options]: once per source of the URL; each run must be a
# usage error with one line on stderr, nothing on stdout, no password
run() {
	local what=$1 url=$2
	shift 2
	"$FIND_HASH" --queue job --url "$url" "$@" >"$scratch/out.url" 2>"$scratch/err.url"
	echo $? >"$scratch/st.url"
	BROKER_URL=$url "$FIND_HASH" --queue job "$@" >"$scratch/out.env" 2>"$scratch/err.env"
	echo $? >"$scratch/st.env"
	printf '%s\n' "$url" >"$scratch/url"
	"$FIND_HASH" --queue job --url-file "$scratch/url" "$@" >"$scratch/out.file" 2>"$scratch/err.file"
	echo $? >"$scratch/st.file"
	for src in url env file; do
		expect_status 2 "$(cat "$scratch/st.$src")" "$what ($src)"
		expect_lines 1 "$scratch/err.$src" "$what ($src): one line"
		[ -s "$scratch/out.$src" ] && fail "$what ($src): something on stdout"
		grep -q "$secret" "$scratch/err.$src" "$scratch/out.$src" &&
			fail "$what ($src): the password was printed: $(cat "$scratch/err.$src")"
	done
}

# malformed URLs holding the password
for url in \
	"amqp://guest:$secret" \
	"amqp://guest:$secret/vhost" \
	"amqps://guest:$secret" \
	"amqp://guest:$secret/" \
	"amqp://guest:Sec/$secret" \
	"amqp://gu@est:$secret" \
	"amqp://guest:$secret?x=1" \
	"amqp:/guest:$secret" \
	"AMQP://guest:$secret@h/" \
	"amqp://guest:$secret@[::1" \
	"amqp://guest:$secret@h:port/" \
	"amqp://guest:$secret@h/v?x=1" \
	"amqp://guest:$secret@h:70000/" \
	"amqp://guest:$secret@" \
	"amqp://[guest:$secret@h]/" \
	"amqp://guest:$secret:x@" ; do
	run "malformed URL $url" "$url"
done

# no host: a usage error that says so, and nothing connects (the listener
# stands for whatever listens on this machine)
for url in "amqp://guest:$secret@" "amqp://guest:$secret@:$port" \
	"amqp://guest:$secret@:$port/" "amqp://" "amqps://u:$secret@/v"; do
	run "no host in $url" "$url" --connect-timeout 1
	for src in url env file; do
		expect_grep "no host" "$scratch/err.$src" "no host in $url ($src)"
	done
done
[ -e "$scratch/connections" ] &&
	fail "a URL without a host connected to 127.0.0.1:$port"
# the listener does count connections
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
for i in $(seq 50); do [ -e "$scratch/connections" ] && break; sleep 0.1; done
[ -e "$scratch/connections" ] || fail "the listener saw no connection at all"

# a port out of range is named
for p in 70000 0 99999999999; do
	run "port $p" "amqp://guest:$secret@127.0.0.1:$p/"
	expect_grep "port $p out of range 1\.\.65535" "$scratch/err.url" "port $p"
done

# a port is digits only: strtol's sign and blanks, and %-escapes (which
# rabbitmq-c decodes before it reads the port) are refused, and say so
rm -f "$scratch/connections"
for p in +5672 +$port ' 5672' %2B5672 %35672 5%36; do
	run "port '$p'" "amqp://guest:$secret@127.0.0.1:$p/" --connect-timeout 1
	expect_grep "the port is not digits only" "$scratch/err.url" "port '$p'"
done
[ -e "$scratch/connections" ] && fail "a port with a sign connected"

# a leading zero is only a zero: 0PORT is PORT, said and used as such
rm -f "$scratch/connections"
"$FIND_HASH" --queue job --url "amqp://guest:$secret@127.0.0.1:00$port/" \
	--connect-timeout 1 >"$scratch/out" 2>"$scratch/err"
expect_status 3 $? "port 00$port: the listener gives no AMQP answer"
expect_grep "^find-hash: cannot log in to amqp://guest:\*\*\*@127\.0\.0\.1:$port/" \
	"$scratch/err" "port 00$port is port $port"
for i in $(seq 50); do [ -e "$scratch/connections" ] && break; sleep 0.1; done
[ -e "$scratch/connections" ] || fail "port 00$port: no connection to port $port"

# --url-file naming a directory
"$FIND_HASH" --queue job --url-file "$scratch" >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "--url-file directory"
expect_lines 1 "$scratch/err" "--url-file directory: one line"
expect_grep "^find-hash: --url-file .*: [Ii]s a directory" "$scratch/err" \
	"--url-file directory: says so"

# --url-file naming the wrong file: under a memory limit, as a pod has,
# so that a reader that takes it all fails instead of taking the machine
(ulimit -v 300000 || exit 99
 exec "$FIND_HASH" --queue job --url-file /dev/zero) >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "--url-file /dev/zero"
expect_lines 1 "$scratch/err" "--url-file /dev/zero: one line"
expect_grep "^find-hash: --url-file /dev/zero: its first line holds a NUL byte: no broker URL does\$" \
	"$scratch/err" "--url-file /dev/zero: says so"
head -c 1000000 /dev/zero | tr '\0' a >"$scratch/long"
(ulimit -v 300000 || exit 99
 exec "$FIND_HASH" --queue job --url-file "$scratch/long") >"$scratch/out" 2>"$scratch/err"
expect_status 2 $? "--url-file without a newline"
expect_lines 1 "$scratch/err" "--url-file without a newline: one line"
expect_grep "^find-hash: --url-file .*/long: its first line is over 4096 bytes, longer than any broker URL\$" \
	"$scratch/err" "--url-file without a newline: says so"

# BROKER_URL set but empty (a Secret that came out blank) used to mean
# guest@localhost: a usage error now, for workers and --enqueue alike
for mode in "" "--enqueue 0ce"; do
	# shellcheck disable=SC2086
	BROKER_URL= "$FIND_HASH" --queue job $mode >"$scratch/out" 2>"$scratch/err"
	expect_status 2 $? "empty BROKER_URL ${mode:-worker}"
	expect_lines 1 "$scratch/err" "empty BROKER_URL ${mode:-worker}: one line"
	expect_grep "^find-hash: BROKER_URL is set but empty" "$scratch/err" \
		"empty BROKER_URL ${mode:-worker}: says so"
done
finish
