# test-env.sh: sourced by every shell test.  Sets up a scratch directory
# removed on exit, and small assertions that print what was expected and
# what came instead.  A test exits 0 on pass, 1 on failure, 99 on a hard
# error (something it needs is missing: a tool, the broker, a terminal).
#
# The skip rule, the one place it is written: a test exits 77 (SKIP) only
# where what it checks is not part of this build, never because the
# machine lacks something; that is a hard error (99).  Two cases, no other:
#  - tests/unit/kernels, run by make check-kernels with FIND_HASH_KERNEL
#    naming a kernel this CPU lacks (or this build left out): that kernel
#    is reported as SKIP, never as passed.  Under make check it tests every
#    kernel the CPU has, portable always, and does not skip.
#  - tests/packaging/k8s-manifests.sh with FH_K8S_MANIFESTS=skip, set by
#    debian/rules and the RPM spec only: a package build has no network
#    for the npm registry.  The packages install contrib/k8s unchanged
#    as documentation, validated wherever make check reaches the npm
#    registry.  It stays in TESTS so that the package build log says SKIP
#    for it.
# Nothing else in make check skips.  A test that needs a terminal gets one
# from script(1) (need_script below).
set -u
: "${FIND_HASH:?run through make check, or set FIND_HASH to the binary}"
test_name=$(basename "$0" .sh)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/fh-$test_name.XXXXXX") || exit 99
cleanup_hooks=""
cleanup() {
	for hook in $cleanup_hooks; do "$hook"; done
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
# expect_status WANT GOT WHAT
expect_status() {
	[ "$1" = "$2" ] || fail "$3: exit status $2, expected $1"
}
# expect_lines N FILE WHAT
expect_lines() {
	got=$(wc -l < "$2")
	[ "$got" -eq "$1" ] || { fail "$3: $got lines in $(basename "$2"), expected $1:"; cat "$2" >&2; }
}
# expect_grep PATTERN FILE WHAT
expect_grep() {
	grep -Eq -- "$1" "$2" || { fail "$3: no line matching /$1/ in:"; cat "$2" >&2; }
}
# check_answer PREFIX STRING DIGEST: the digest is sha256sum's for the
# string, and starts with the prefix.
check_answer() {
	want=$(printf %s "$2" | sha256sum | cut -d' ' -f1)
	[ "$want" = "$3" ] || fail "digest of '$2' is $want, printed $3"
	lower=$(printf %s "$1" | tr 'A-F' 'a-f')
	case "$want" in
	"$lower"*) ;;
	*) fail "digest $want of '$2' does not start with $1" ;;
	esac
	case "$2" in
	*[!A-Za-z0-9]* | "") fail "answer '$2' is not [A-Za-z0-9]+" ;;
	esac
}
# signal_status SIG: the exit status of a stop by SIG (HUP, INT or TERM):
# 128 plus the signal's number, as src/fh-exit.h has it.
signal_status() {
	case $1 in
	HUP) echo 129 ;;
	INT) echo 130 ;;
	TERM) echo 143 ;;
	*) echo "signal_status: no status for SIG$1" >&2; exit 99 ;;
	esac
}
# seed_base SEED: the 36 characters every candidate of --seed SEED starts
# with; candidate_at BASE COUNTER: the candidate at COUNTER, BASE then the
# counter as 16 letters, 'A' + nibble (the layout of src/search/kernel.h).
seed_base() {
	"$FIND_HASH" --offline --seed "$1" --threads 1 --json 0 |
		sed 's/.*"string":"\([A-Za-z0-9]\{36\}\).*/\1/'
}
candidate_at() {
	printf '%s%s' "$1" "$(printf '%016x' "$2" | tr '0-9a-f' 'A-P')"
}
# build_c OUTPUT SOURCE ARG...: compiles SOURCE (a path under the source
# tree) with the compiler's arguments ARG... into OUTPUT.  No compiler,
# or a failed build, is a hard error.
build_c() {
	local cc=${CC:-cc} out=$1 src=$2
	shift 2
	command -v "$cc" >/dev/null || {
		echo "no C compiler ($cc) for $src" >&2
		exit 99
	}
	"$cc" -o "$out" "$top_srcdir/$src" "$@" >"$scratch/cc.log" 2>&1 || {
		cat "$scratch/cc.log" >&2
		echo "cannot build $src" >&2
		exit 99
	}
}
# build_preload SOURCE: the LD_PRELOAD helper SOURCE, built into $scratch;
# prints the library's path.
build_preload() {
	local so
	so="$scratch/$(basename "$1" .c).so"
	build_c "$so" "$1" -shared -fPIC -ldl
	echo "$so"
}
# build_amqp_program SOURCE: the program SOURCE, a client of librabbitmq,
# built into $scratch; prints its path.
build_amqp_program() {
	local prog libs
	prog="$scratch/$(basename "$1" .c)"
	libs=$(pkg-config --cflags --libs librabbitmq 2>/dev/null) ||
		libs=-lrabbitmq
	# shellcheck disable=SC2086 # pkg-config's words, split on purpose
	build_c "$prog" "$1" $libs
	echo "$prog"
}

# The hold-calls.c helper (tests/queue), which holds a process before
# some calls: hold_setup builds it into $preload (for LD_PRELOAD) and
# makes the directory $hold (for FH_HOLD_DIR).  held WHAT-N waits up to
# 120 s until process $pid holds at WHAT-N; 1 when it exited instead, or
# never got there.  go WHAT-N lets it go on.
hold_setup() {
	# shellcheck disable=SC2034 # set for the test that calls it
	preload=$(build_preload tests/queue/hold-calls.c) || exit 99
	hold=$scratch/hold
	mkdir "$hold" || exit 99
}
held() {
	local i
	for i in $(seq 1200); do
		[ -e "$hold/at-$1" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
go() { : >"$hold/go-$1"; }

# need_script: script(1) (util-linux; package bsdutils) and a pseudo-
# terminal for it to give, for the tests of what find-hash shows on a
# terminal.  Without either: a hard error (99), never a skip.
need_script() {
	command -v script >/dev/null || {
		echo "$test_name: script(1) is missing (package bsdutils): cannot give a terminal" >&2
		exit 99
	}
	script -qec true /dev/null </dev/null >/dev/null 2>&1 || {
		echo "$test_name: script(1) finds no pseudo-terminal to give (no /dev/pts?)" >&2
		exit 99
	}
}
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$test_name: $failures failure(s)" >&2
		exit 1
	fi
	echo "$test_name: ok"
	exit 0
}
