#!/bin/sh
# json: several prefixes in one run, one JSON object per line with
# exactly the documented keys, one line per prefix (in the order they are
# settled, which need not be the order given).
. "${top_srcdir:-.}/tests/lib/test-env.sh"

"$FIND_HASH" --offline 0ce babaca 00000 --json --threads 2 >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "--offline 0ce babaca 00000 --json"
expect_lines 3 "$scratch/out" "JSON lines"
for want in 0ce babaca 00000; do
	line=$(grep "\"prefix\":\"$want\"" "$scratch/out")
	[ "$(echo "$line" | wc -l)" = 1 ] || fail "not one line for $want: $line"
	echo "$line" | grep -Eq '^\{"prefix":"[0-9a-f]+","string":"[A-Za-z0-9]+","sha256":"[0-9a-f]{64}","tries":[1-9][0-9]*,"seconds":[0-9]+\.[0-9]+\}$' ||
		fail "the line for $want is not the documented object: $line"
	string=$(echo "$line" | sed 's/.*"string":"\([^"]*\)".*/\1/')
	digest=$(echo "$line" | sed 's/.*"sha256":"\([^"]*\)".*/\1/')
	check_answer "$want" "$string" "$digest"
done
# JSON is still JSON for an upper-case prefix: the key holds it lower-cased
"$FIND_HASH" --offline --json BEEF >"$scratch/out" 2>/dev/null
expect_grep '"prefix":"beef"' "$scratch/out" "upper-case prefix"
finish
