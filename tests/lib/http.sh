# tests/lib/http.sh: serve a directory over HTTP on loopback, for the
# package tests that install from a repository as a client would.
# Sourced by tests/packaging/check-repo.sh and check-image.sh (POSIX sh).

# http_serve DIR LOG: python3's http.server on 127.0.0.1, a free port,
# serving DIR, its output in LOG.  Sets http_pid (to kill when done) and
# http_port; returns 1, with http_port empty, if it did not start in 10 s.
http_serve() {
	/usr/bin/python3 -u -m http.server --bind 127.0.0.1 --directory "$1" 0 >"$2" 2>&1 &
	http_pid=$!
	http_port=
	for _ in $(seq 50); do
		http_port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$2")
		[ -n "$http_port" ] && return 0
		sleep 0.2
	done
	return 1
}
