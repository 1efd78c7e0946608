#!/bin/sh
# cli-json: several prefixes in one run, one JSON object per line with
# exactly the documented keys, in the order the prefixes were given.
. "${top_srcdir:-.}/tests/test-env.sh"

"$FIND_HASH" --offline 0ce babaca 00000 --json --threads 2 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--offline 0ce babaca 00000 --json"
expect_lines 3 "$scratch/out" "JSON lines"
n=0
for want in 0ce babaca 00000; do
	n=$((n + 1))
	line=$(sed -n "${n}p" "$scratch/out")
	echo "$line" | grep -Eq '^\{"prefix":"[0-9a-f]+","string":"[A-Za-z0-9]+","sha256":"[0-9a-f]{64}","tries":[1-9][0-9]*,"seconds":[0-9]+\.[0-9]+\}$' ||
		fail "line $n is not the documented object: $line"
	prefix=$(echo "$line" | sed 's/.*"prefix":"\([^"]*\)".*/\1/')
	string=$(echo "$line" | sed 's/.*"string":"\([^"]*\)".*/\1/')
	digest=$(echo "$line" | sed 's/.*"sha256":"\([^"]*\)".*/\1/')
	[ "$prefix" = "$want" ] || fail "line $n has prefix $prefix, expected $want"
	check_answer "$want" "$string" "$digest"
done
# JSON is still JSON for an upper-case prefix: the key holds it lower-cased
"$FIND_HASH" --offline --json BEEF >"$scratch/out" 2>/dev/null
expect_grep '"prefix":"beef"' "$scratch/out" "upper-case prefix"
finish
