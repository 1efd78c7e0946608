#!/bin/sh
# hardening-lines: every message is one line that shows no secret,
# whatever the user typed.  A newline or an ESC in a value that is echoed
# back (--threads, --kernel, --url-file, an unknown option) came out raw:
# two lines on stderr, or a terminal's colours changed.  A broker URL with
# its password given where it does not belong (a mistyped --url, a URL
# where a prefix goes) was echoed with the password in clear.  The URL's
# form in a hint, "expected amqp[s]://user:password@host:port/vhost", is
# no URL and is shown as written.
. "${top_srcdir:-.}/tests/lib/test-env.sh"
# a loopback port nobody listens on: no message here may need a broker
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BROKER_URL="amqp://guest:guest@127.0.0.1:$port"
nl='
'
esc=$(printf '\033')

# one_line WHAT STATUS PATTERN ARGS...: exits STATUS with exactly one
# line on stderr, matching PATTERN, without a control byte
one_line() {
	what=$1 want=$2 pattern=$3
	shift 3
	"$FIND_HASH" "$@" >"$scratch/out" 2>"$scratch/err"
	expect_status "$want" $? "$what"
	expect_lines 1 "$scratch/err" "$what: one line"
	expect_grep "$pattern" "$scratch/err" "$what: names the cause"
	LC_ALL=C grep -q '[[:cntrl:]]' "$scratch/err" &&
		fail "$what: a control byte on stderr: $(od -c "$scratch/err" | head -3)"
	[ -s "$scratch/out" ] && fail "$what: something on stdout"
}

one_line "--threads with a newline" 2 "invalid --threads '1.x0a2'" \
	--offline --threads "1${nl}2" 0
one_line "--kernel with ESC" 2 "unknown kernel 'x.x1b.31my'" \
	--offline --kernel "x${esc}[31my" 0
one_line "--seed with a newline" 2 "invalid --seed" \
	--offline --seed "1${nl}" 0
one_line "an unknown option with a newline" 2 "--bo.x0agus: unknown option" \
	--offline "--bo${nl}gus" 0
one_line "--url-file with a newline" 2 "--url-file /nonexistent.x0ax" \
	--queue job --url-file "/nonexistent${nl}x"
# popt takes the word after --queue or --results-queue as the name,
# whatever it is: an option there was a queue name, and the error named
# the next word instead ("unexpected argument '0c'")
one_line "--queue followed by an option" 2 \
	"--queue needs a queue name, not the option '--offline'" \
	--queue --offline 0c
one_line "--results-queue followed by an option" 2 \
	"--results-queue needs a queue name, not the option '--loop'" \
	--queue job --results-queue --loop
JOB_COMPLETION_INDEX="1${nl}" "$FIND_HASH" --offline --shards 2 --seed 1 0 \
	>/dev/null 2>"$scratch/err"
expect_status 2 $? "JOB_COMPLETION_INDEX=1\\n"
expect_lines 1 "$scratch/err" "JOB_COMPLETION_INDEX=1\\n: one line"
FIND_HASH_KERNEL="a${nl}b" "$FIND_HASH" --offline 0 >/dev/null 2>"$scratch/err"
expect_status 2 $? "FIND_HASH_KERNEL with a newline"
expect_lines 1 "$scratch/err" "FIND_HASH_KERNEL with a newline: one line"

secret=Secr3tPw
url="amqp://user:$secret@127.0.0.1:$port/"
# no_secret WHAT STATUS PATTERN ARGS...: as one_line, and the password
# is not shown (*** stands for it)
no_secret() {
	one_line "$@"
	grep -q "$secret" "$scratch/err" && fail "$1: the password is printed"
	expect_grep 'amqp://user:\*\*\*@' "$scratch/err" "$1: *** for the password"
}
no_secret "a mistyped --url" 2 "unknown option" --queue job "--urll=$url"
no_secret "a URL where the queue's arguments go" 2 "unexpected argument" \
	--queue job "$url"
no_secret "a URL as an offline prefix" 2 "invalid prefix" --offline "$url"
no_secret "a URL as a prefix to enqueue" 2 "bad prefix" --queue job --enqueue "$url"
no_secret "a URL after --" 2 "unexpected argument" --queue job -- "--url=$url"

# The URL's form a message gives as a hint is shown as written: the hiding
# took it for a URL and printed "expected amqp[s]://user:***@host...".
hint='amqp[s]://user:password@host:port/vhost'
# hint_line WHAT URL LINE: --url URL is a usage error said in exactly LINE
hint_line() {
	"$FIND_HASH" --queue job --url "$2" >/dev/null 2>"$scratch/err"
	expect_status 2 $? "$1"
	printf '%s\n' "$3" >"$scratch/want"
	cmp -s "$scratch/want" "$scratch/err" ||
		fail "$1: said \"$(cat "$scratch/err")\", expected \"$3\""
}
hint_line "no host" "amqp://" \
	"find-hash: bad broker URL from --url \"amqp://\": no host (expected $hint)"
hint_line "no port" "amqp://user:$secret@h:" \
	"find-hash: bad broker URL from --url \"amqp://user:***@h:***\": no port after the ':' (expected $hint)"
hint_line "a port not digits only" "amqp://user:$secret@h:x1" \
	"find-hash: bad broker URL from --url \"amqp://user:***@h:***\": the port is not digits only (expected $hint)"
hint_line "a malformed URL" "amqp://user:$secret@h//" \
	"find-hash: bad broker URL from --url \"amqp://user:***@h//\": malformed, expected $hint"
# the hint's text does not pass a real password after it
one_line "the hint running on into a password" 2 "unknown kernel 'amqp\[s\]://user:\*\*\*@h'" \
	--offline --kernel "${hint}x:$secret@h" 0
grep -q "$secret" "$scratch/err" && fail "the hint running on into a password: the password is printed"
finish
