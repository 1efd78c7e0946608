#!/bin/sh
# cli-answer: --offline PREFIX prints "STRING  DIGEST", the digest checked
# here with coreutils' sha256sum, and nothing on stderr when it is no tty.
. "${top_srcdir:-.}/tests/test-env.sh"

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
finish
