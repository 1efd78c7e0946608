#!/bin/sh
# misc: --version, --help, --benchmark, --kernel, a failed write.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] || fail "no PACKAGE_VERSION in config.h"
"$FIND_HASH" --version >"$scratch/out" 2>&1
expect_status 0 $? "--version"
[ "$(cat "$scratch/out")" = "find-hash $version" ] || fail "--version printed: $(cat "$scratch/out")"

"$FIND_HASH" --help >"$scratch/out" 2>&1
expect_status 0 $? "--help"
for code in 0 1 2 3 4 5 129 130 143; do
	grep -Eq "(^|[ ,])$code " "$scratch/out" || fail "--help does not list exit status $code"
done

"$FIND_HASH" --benchmark --threads 1 --timeout 0.2 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--benchmark"
expect_grep '^portable +1 thread +[0-9]+\.[0-9] MH/s' "$scratch/out" "portable kernel line"
[ "$(grep -c '(selected)' "$scratch/out")" = 1 ] || fail "not one kernel marked (selected)"
# each line names a kernel --kernel accepts, and that kernel finds answers
for k in $(cut -d' ' -f1 "$scratch/out"); do
	"$FIND_HASH" --offline --kernel "$k" --seed 3 0ce >"$scratch/k-$k" 2>"$scratch/err"
	expect_status 0 $? "--kernel $k"
	cmp -s "$scratch/k-$(head -n1 "$scratch/out" | cut -d' ' -f1)" "$scratch/k-$k" ||
		fail "kernel $k gives another answer for the same seed"
	FIND_HASH_KERNEL=$k "$FIND_HASH" --offline --seed 3 0ce >"$scratch/e-$k" 2>"$scratch/err"
	cmp -s "$scratch/k-$k" "$scratch/e-$k" || fail "FIND_HASH_KERNEL=$k differs from --kernel $k"
done

# GNU style: a write error is an error (status 5), not a silent success
if [ -w /dev/full ]; then
	"$FIND_HASH" --offline 0ce >/dev/full 2>"$scratch/err"
	expect_status 5 $? "write to /dev/full"
	expect_grep "write error" "$scratch/err" "write error message"
	"$FIND_HASH" --version >/dev/full 2>"$scratch/err"
	expect_status 5 $? "--version to /dev/full"
else
	fail "/dev/full is missing: cannot test write errors"
fi
finish
