#!/bin/sh
# t5002: mcp-audit verify finds every kind of tampering and names the line:
# a flipped byte, a deleted, swapped or inserted line, a reformatted line,
# a cut tail (through --expect-head and the anchor file), an incomplete
# last line.  A clean log prints its head hash for pinning.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

recs 10 >in.jsonl
"$A" append --log "$LOG" in.jsonl || exit 99
cp "$LOG" clean.log
cp "$LOG.head" clean.head
head10=$(tail -n 1 "$LOG" | jq -r .hash)
head8=$(sed -n 8p "$LOG" | jq -r .hash)

expect_ok "a clean log verifies" "$A" verify --log "$LOG"
check "verify prints the head hash, one line" \
	sh -c "[ \"\$(cat '$T/out')\" = '$head10' ] && [ \$(wc -l <'$T/out') -eq 1 ] && [ ! -s '$T/err' ]"
expect_ok "--expect-head with the head" "$A" verify --log "$LOG" --expect-head "$head10"
expect_ok "--expect-head with an older hash (the log grew since)" "$A" verify --log "$LOG" --expect-head "$head8"
expect_fail 2 '^mcp-audit: option --expect-head: "sha256:XYZ" is not a sha256 digest' \
	"--expect-head must be a digest" "$A" verify --log "$LOG" --expect-head sha256:XYZ

# Start again from the clean log and its anchor.
reset() { cp clean.log "$LOG" && cp clean.head "$LOG.head"; }

# A flipped byte inside a record (the n of line 5: 5 -> 7).
reset
python3 - "$LOG" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, 'rb').read().split(b'\n')
lines[4] = lines[4].replace(b'"n":5', b'"n":7')
open(p, 'wb').write(b'\n'.join(lines))
PY
expect_tamper '^mcp-audit: .*audit.log:5: hash mismatch \(line edited\)' \
	"a flipped byte in line 5 is reported at line 5" "$A" verify --log "$LOG"
check "only line 5 is reported" test "$(grep -c 'audit.log:[0-9]*:' "$T/err")" -eq 1

# A flipped byte in the time stamp, without touching anything else.
reset
python3 - "$LOG" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
start = 0
for _ in range(2):
    start = b.index(b'\n', start) + 1
i = b.index(b'"time":"', start) + 10
b[i] ^= 1
open(p, 'wb').write(bytes(b))
PY
expect_tamper 'audit.log:3: hash mismatch' "a flipped byte in line 3's time is reported at line 3" \
	"$A" verify --log "$LOG"

# A deleted line.
reset
sed -i 6d "$LOG"
expect_tamper 'audit.log:6: seq 7, expected 6; prev does not match' \
	"a deleted line 6 is reported at line 6" "$A" verify --log "$LOG"

# Two lines swapped.
reset
{ sed -n 1,3p clean.log; sed -n 5p clean.log; sed -n 4p clean.log; sed -n '6,$p' clean.log; } >"$LOG"
expect_tamper 'audit.log:4: seq 5, expected 4' "swapped lines 4 and 5 are reported at line 4" \
	"$A" verify --log "$LOG"
check "and line 5 is reported too" grep -q 'audit.log:5: seq 4' "$T/err"

# A forged line with a correct self-hash but a wrong prev, inserted after 3.
reset
forge() { # forge LINE-NUMBER PREV SEQ
	sed -n "$1p" clean.log |
		jq -c --arg p "$2" --argjson s "$3" '.prev = $p | .seq = $s | .record.forged = true | del(.hash)' >forged.tmp
	h=sha256:$(jq -jcS . forged.tmp | sha256sum | cut -d' ' -f1)
	# Canonical, hash last: the forger knows the format.
	printf '%s,"hash":"%s"}\n' "$(jq -jcS . forged.tmp | sed 's/}$//')" "$h"
}
forge 3 "$(sed -n 2p clean.log | jq -r .hash)" 4 >forged.line
check "the forged line's own hash is right" \
	test "$(jq -r .hash forged.line)" = "$(rehash 1 forged.line)"
{ sed -n 1,3p clean.log; cat forged.line; sed -n '4,$p' clean.log; } >"$LOG"
expect_tamper 'audit.log:4: prev does not match the hash of the line before' \
	"an inserted line with a wrong prev is reported at line 4" "$A" verify --log "$LOG"
check "the displaced line 5 is reported too" grep -q 'audit.log:5: seq 4, expected 5' "$T/err"

# A forged line with a right prev still breaks the next link.
reset
forge 3 "$(sed -n 3p clean.log | jq -r .hash)" 4 >forged.line
{ sed -n 1,3p clean.log; cat forged.line; sed -n '4,$p' clean.log; } >"$LOG"
expect_tamper 'audit.log:5: seq 4, expected 5; prev does not match' \
	"an inserted line with a right prev is caught at the next line" "$A" verify --log "$LOG"

# The first line deleted.
reset
sed -i 1d "$LOG"
expect_tamper 'audit.log:1: the chain does not start here' "a deleted first line is reported" \
	"$A" verify --log "$LOG" --no-anchor

# Same content, other bytes: mcp-audit writes only the canonical form.
reset
sed -i '2s/,"seq":/, "seq":/' "$LOG"
expect_tamper 'audit.log:2: not in canonical form' "a reformatted line is reported" \
	"$A" verify --log "$LOG"
reset
sed -i '7s/$/ /' "$LOG"
expect_tamper 'audit.log:7: not in canonical form' "trailing blank is reported" "$A" verify --log "$LOG"
reset
sed -i '7s/}$/,"extra":1}/' "$LOG"
expect_tamper 'audit.log:7: unexpected member "extra"' "an added member is reported" "$A" verify --log "$LOG"
reset
sed -i '4s/.*/garbage/' "$LOG"
expect_tamper 'audit.log:4: not JSON' "a garbage line is reported" "$A" verify --log "$LOG"

# A cut tail is a valid chain: only a head kept elsewhere shows it.
reset
sed -i '9,10d' "$LOG"
expect_ok "a cut tail alone still chains (--no-anchor)" "$A" verify --log "$LOG" --no-anchor
expect_tamper "expected head $head10 not found \\(log truncated or rewritten\\)" \
	"--expect-head catches the cut tail" "$A" verify --log "$LOG" --no-anchor --expect-head "$head10"
expect_tamper "audit.log.head: head $head10 is not in the log" \
	"the anchor file catches the cut tail" "$A" verify --log "$LOG"
# ... also when the cut is papered over with a new, well-chained line.
"$A" append --log "$LOG" in.jsonl >/dev/null 2>&1
expect_ok "the rewritten log chains" "$A" verify --log "$LOG" --no-anchor
expect_tamper "expected head $head10 not found" "--expect-head catches a rewritten tail" \
	"$A" verify --log "$LOG" --no-anchor --expect-head "$head10"

# An incomplete last line: verify names it, append refuses to chain onto it.
reset
printf '{"seq":11,"time":"x' >>"$LOG"
expect_tamper 'audit.log:11: incomplete last line' "an incomplete last line is reported" \
	"$A" verify --log "$LOG"
expect_fail 4 'audit.log: the last line is incomplete' "append refuses to extend a broken tail" \
	"$A" append --log "$LOG" in.jsonl
reset
sed -i '10s/"n":10/"n":11/' "$LOG"
cp "$LOG" before.log
expect_fail 4 'audit.log: last line: hash mismatch' "append refuses to chain onto a forged last line" \
	"$A" append --log "$LOG" in.jsonl
check "and wrote nothing" cmp -s "$LOG" before.log

# Every problem is reported, not just the first.
reset
sed -i -e '2s/"n":2/"n":9/' -e '8s/"n":8/"n":9/' "$LOG"
expect_tamper 'audit.log:2: hash mismatch' "two edits: the first is reported" "$A" verify --log "$LOG"
check "and the second" grep -q 'audit.log:8: hash mismatch' "$T/err"
check "the summary counts 2 problems" grep -q 'does not verify: 2 problem(s) in 10 line(s)' "$T/err"

# The anchor itself.
reset
echo garbage >"$LOG.head"
expect_tamper 'audit.log.head: not a sha256 digest' "a damaged anchor is reported" "$A" verify --log "$LOG"
rm -f "$LOG.head"
expect_ok "no anchor: the chain alone is checked" "$A" verify --log "$LOG"

# Empty and missing logs.
: >empty.log
expect_ok "an empty log verifies" "$A" verify --log "$T/empty.log"
check "its head is the genesis hash" test "$(cat "$T/out")" = "sha256:$(printf '%064d' 0)"
expect_fail 1 'nosuch.log: No such file or directory' "a missing log is a runtime error" \
	"$A" verify --log "$T/nosuch.log"

done_testing
