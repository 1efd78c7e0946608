#!/bin/bash
# hardening-argv: a --url password does not show in ps (/proc/PID/cmdline)
# whatever it holds.  One holding an unencoded '/', '?', '#' or ':' makes
# the URL one the parser refuses, but only once it is read: until the
# program exits it stood in argv, for any user's ps to see.  A URL the
# parser takes loses its password and nothing more.  The helper
# (parse-stop.c) stops the program as it parses the URL, after main has
# hidden the password, so the test reads cmdline at a known moment; no
# broker is needed (the port is one nobody listens on).  A URL refused
# before the parser sees it (no "@host") is tests/unit/url's.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

preload=$(build_preload tests/cli/parse-stop.c) || exit 99

# argv_seen FORM URL: starts a worker with --url URL ("--url" FORM) or
# --url=URL, waits until it stops in the parser, and leaves its command
# line in $scratch/cmdline and its exit status in $st.
argv_seen() {
	local pid state i
	if [ "$1" = "--url" ]; then
		LD_PRELOAD="$preload" "$FIND_HASH" --queue job --url "$2" \
			>/dev/null 2>"$scratch/err" &
	else
		LD_PRELOAD="$preload" "$FIND_HASH" --queue job "--url=$2" \
			>/dev/null 2>"$scratch/err" &
	fi
	pid=$!
	for i in $(seq 300); do
		state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
		[ "$state" = T ] || [ "$state" = Z ] || [ -z "$state" ] && break
		sleep 0.1
	done
	: >"$scratch/cmdline"
	if [ "$state" = T ]; then
		{ tr '\0' ' ' <"/proc/$pid/cmdline"; echo; } >"$scratch/cmdline"
		kill -CONT "$pid"
	else
		fail "$1 $2: never stopped in the URL parser (state '$state'):" \
			"$(cat "$scratch/err")"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	st=$?
}

for form in --url --url=; do
	for pw in 'Mark/er' 'Mark?er' 'Mark#er' 'Mark:er' 'Mark@/er' \
		'Mark[er]' 'Mark/?#@er'; do
		argv_seen "$form" "amqp://hider:$pw@127.0.0.1:1/vhost"
		# every byte of the password an x, the rest as it was
		xs=$(printf "%${#pw}s" "" | tr ' ' x)
		grep -qF "amqp://hider:$xs@127.0.0.1:1/vhost " "$scratch/cmdline" ||
			fail "$form password '$pw' not hidden whole: $(cat "$scratch/cmdline")"
		expect_status 2 "$st" "$form password '$pw': refused"
		expect_grep 'bad broker URL from --url "amqp://hider:\*\*\*@127\.0\.0\.1:1/vhost"' \
			"$scratch/err" "$form password '$pw': the message"
	done
	# a URL the parser takes: the password hidden, nothing else
	argv_seen "$form" "amqp://hider:Marker@127.0.0.1:1/v%2fh"
	expect_grep "amqp://hider:xxxxxx@127\.0\.0\.1:1/v%2fh " "$scratch/cmdline" \
		"$form valid URL: only the password hidden"
	expect_status 3 "$st" "$form valid URL: nobody listens on port 1"
done
finish
