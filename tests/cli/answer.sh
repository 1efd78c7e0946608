#!/bin/sh
# answer: --offline PREFIX prints "STRING  DIGEST", the digest checked
# here with coreutils' sha256sum, and nothing on stderr when it is no tty.
. "${top_srcdir:-.}/tests/lib/test-env.sh"

for prefix in 0ce 7 ABC 0123 " 5f "; do
	"$FIND_HASH" --offline "$prefix" >"$scratch/out" 2>"$scratch/err"
	expect_status 0 $? "--offline '$prefix'"
	expect_lines 1 "$scratch/out" "stdout for '$prefix'"
	[ -s "$scratch/err" ] && { fail "stderr not empty for '$prefix':"; cat "$scratch/err" >&2; }
	read -r string digest rest <"$scratch/out"
	[ -z "$rest" ] || fail "extra fields: $rest"
	grep -Eq '^[A-Za-z0-9]+  [0-9a-f]{64}$' "$scratch/out" ||
		fail "not 'STRING  DIGEST' with two spaces: $(cat "$scratch/out")"
	check_answer "$(echo $prefix)" "$string" "$digest"
done

# '-' reads prefixes from stdin, one a line, blank lines skipped, beside
# the arguments: 200 (more than the 64 the kernels compare one by one, so
# through the bitmap), the same answers, in order, as when each is alone.
i=0
while [ $i -lt 200 ]; do printf '%02x\n' $((i * 37 % 256)); [ $((i % 50)) = 0 ] && echo; i=$((i + 1)); done >"$scratch/many"
"$FIND_HASH" --offline --seed 5 0ce - 5a <"$scratch/many" >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--offline 0ce - 5a with 200 prefixes on stdin"
expect_lines 202 "$scratch/out" "stdout for 202 prefixes"
{ echo 0ce; grep . "$scratch/many"; echo 5a; } >"$scratch/want-prefixes"
n=0
while read -r prefix; do
	n=$((n + 1))
	read -r string digest <<EOF2
$(sed -n "${n}p" "$scratch/out")
EOF2
	check_answer "$prefix" "$string" "$digest"
	case $n in 1 | 2 | 101 | 202)
		"$FIND_HASH" --offline --seed 5 "$prefix" >"$scratch/alone"
		[ "$(cat "$scratch/alone")" = "$string  $digest" ] ||
			fail "$prefix: '$string' among many, '$(cat "$scratch/alone")' alone" ;;
	esac
done <"$scratch/want-prefixes"
printf 'zz\n' | "$FIND_HASH" --offline - >/dev/null 2>"$scratch/err"
expect_status 2 $? "an invalid prefix on stdin"
grep -q "stdin line 1" "$scratch/err" || fail "no line number for a bad stdin prefix: $(cat "$scratch/err")"
finish
