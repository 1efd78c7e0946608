#!/bin/sh
# hardening-seed: --seed is decimal, or hex after 0x, as the man page
# says: a leading 0 is not octal, and a leading blank or sign, trailing
# junk or nothing at all is a usage error.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

"$FIND_HASH" --offline --seed 42 0ce >"$scratch/42" 2>"$scratch/err"
expect_status 0 $? "--seed 42"
"$FIND_HASH" --offline --seed 0042 0ce >"$scratch/0042" 2>"$scratch/err"
expect_status 0 $? "--seed 0042"
cmp -s "$scratch/42" "$scratch/0042" || fail "--seed 0042 is not 42"
"$FIND_HASH" --offline --seed 8 0ce >"$scratch/8" 2>"$scratch/err"
"$FIND_HASH" --offline --seed 08 0ce >"$scratch/08" 2>"$scratch/err"
expect_status 0 $? "--seed 08"
cmp -s "$scratch/8" "$scratch/08" || fail "--seed 08 is not 8"
"$FIND_HASH" --offline --seed 18446744073709551615 0ce >/dev/null 2>"$scratch/err"
expect_status 0 $? "--seed 2^64-1"

for bad in " -1" -1 " 42" +42 1x "" 0x 0x-1 18446744073709551616; do
	"$FIND_HASH" --offline --seed "$bad" 0ce >"$scratch/out" 2>"$scratch/err"
	expect_status 2 $? "--seed '$bad'"
	expect_lines 1 "$scratch/err" "--seed '$bad'"
	case "$(cat "$scratch/err")" in
	"find-hash: invalid --seed '$bad': "*) ;;
	*) fail "--seed '$bad' message: $(cat "$scratch/err")" ;;
	esac
	[ -s "$scratch/out" ] && fail "--seed '$bad' printed $(cat "$scratch/out")"
done
finish
