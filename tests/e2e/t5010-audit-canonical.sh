#!/bin/sh
# t5010: the canonical form holds for awkward records (escapes, control
# characters in keys, non-ASCII, nesting, integer limits): every hash
# recomputes with jq, verify's one-pass checker agrees with the reference
# checker on thousands of mutated lines, and a line that means the same
# but is written differently does not verify.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

"$PYTHON3" - >in.jsonl <<'PY'
import json
recs = [
    {"kind": "mcp.exec/v1", "s": "a\u0001b\u007fc\"d\\e\n\t\b\f\r/\u00e9\u20ac\U0001F600",
     "n": -5, "z": 0, "max": 9007199254740991, "min": -9007199254740991},
    {"kind": "mcp.x/v1", "\u0001k": 1, "\u0002k": 2, "k\u001f": 3, "a": {}, "b": [],
     "c": [{}, [], [[]]], "t": True, "f": False, "nul": None},
    {"kind": "mcp.y/v1", "\u00e9": 1, "e": 2, "E": 3, "\U0001F600": 4, "\"q": 5, "\\b": 6,
     "deep": [[[[[[[[[[{"x": "y"}]]]]]]]]]]},
    {"kind": "mcp.z/v1", "argv": ["--a=b", "", " ", "\u2028\u2029"], "env": {}},
]
for r in recs:
    print(json.dumps(r, ensure_ascii=False))
PY
expect_ok "append awkward records" "$A" append --log "$LOG" in.jsonl
check "no warning" test ! -s "$T/err"
expect_ok "they verify" "$A" verify --log "$LOG"
jqs 'map(.record) | .[0].s == "a\u0001b\u007fc\"d\\e\n\t\b\f\r/é€😀"' "strings round-trip" "$LOG"
for n in 1 2 3 4; do
	check "line $n: jq -jcS 'del(.hash)' | sha256sum gives its hash" \
		test "$(rehash $n "$LOG")" = "$(sed -n "${n}p" "$LOG" | jq -r .hash)"
done

cc=$top_builddir/mcp-audit/chain-check
if [ ! -x "$cc" ]; then
	not_ok "mcp-audit/chain-check is built (make check builds it)"
else
	for seed in 1 2 3; do
		run timeout 120 "$cc" "$LOG" "$seed" 3000
		check "fast and reference checkers agree on 12004 mutants (seed $seed)" \
			sh -c "[ $rc -eq 0 ] && grep -q 'disagreements 0\$' '$T/out'"
	done
fi

# Same meaning, other bytes, hash recomputed over those bytes: refused.
variant() { # variant SED-EXPR DESC
	cp "$LOG" v.log
	sed -i "1$1" v.log
	"$PYTHON3" - v.log <<'PY'
import hashlib, sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")
l = lines[0]
i = l.rindex(b',"hash":"')
h = hashlib.sha256(l[:i] + b"}").hexdigest().encode()
lines[0] = l[:i] + b',"hash":"sha256:' + h + b'"}'
open(p, "wb").write(b"\n".join(lines))
PY
	expect_tamper 'v.log:1: (hash mismatch|not in canonical form|non-integer number|integer [0-9]+ out of the canonical range)' "$2" \
		"$A" verify --log "$T/v.log" --no-anchor
}
variant 's/\\u0001/\\u0001/;s/\\u007f/\\u007F/' "uppercase hex in an escape"
variant 's|"s":"a|"s":"\\u0061|' "an escaped ASCII letter"
variant 's|/é|\\/é|' "an escaped slash"
variant 's|é|\\u00e9|' "an escaped non-ASCII character"
variant 's|"z":0|"z":0.0|' "0 written as 0.0"
variant 's|"z":0|"z":-0|' "0 written as -0"
variant 's|"n":-5|"n":-5e0|' "an exponent"
variant 's|"max":9007199254740991|"max":9007199254740992|' "an integer beyond 2^53-1"
variant 's|{"host"|{ "host"|' "white space"
variant 's|"host":"\([^"]*\)","prev":"\([^"]*\)"|"prev":"\2","host":"\1"|' "keys out of order"

done_testing
