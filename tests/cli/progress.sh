#!/bin/sh
# progress: the progress line (rate, tries, expected tries, ETA) goes to
# stderr while it is a terminal, and never to stdout.  cli/answer.sh checks
# that stderr stays silent when it is not a terminal.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

# script(1) gives the program a pseudo-terminal, whether or not make check
# has one; where it cannot (no script, a chroot without /dev/pts) the test
# is a hard error, never a skip (the rule in tests/lib/test-env.sh).
need_script

# --timeout, not --max-tries: the run must outlast the first redraw
# (200 ms) however fast the kernel is; 30M tries once took 0.2 s.

script -qec "'$FIND_HASH' --offline --seed 1 --timeout 1 --threads 1 0123456789abc >'$scratch/tty-out'" "$scratch/typescript" </dev/null >/dev/null 2>&1
expect_grep '[0-9.]+ [kMGT]?H/s  [0-9.]+[kMGT]? tries of ~[0-9.]+[kMGTPE]? expected  ETA [0-9]+[smhdy]' "$scratch/typescript" "progress line on a terminal"
expect_grep 'not found within' "$scratch/typescript" "give-up line on the terminal"
[ -s "$scratch/tty-out" ] && fail "progress or answers on stdout after giving up: $(cat "$scratch/tty-out")"

# --quiet: no progress line even on a terminal; the give-up line stays
script -qec "'$FIND_HASH' --quiet --offline --seed 1 --timeout 1 --threads 1 0123456789abc >/dev/null" "$scratch/quiet" </dev/null >/dev/null 2>&1
grep -q 'H/s' "$scratch/quiet" && fail "--quiet still shows a progress line"
expect_grep 'not found within' "$scratch/quiet" "give-up line with --quiet"
finish
