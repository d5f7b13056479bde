#!/bin/sh
# t5006: mcp-audit rotate keeps one chain across files: LOG.N gets the old
# records, LOG starts with a rotate record linked to the old head, verify
# --series walks LOG.1, LOG.2, ..., LOG; writers racing a rotation lose
# nothing.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

recs 5 >in5.jsonl
"$A" append --log "$LOG" in5.jsonl || exit 99
old=$(tail -n 1 "$LOG" | jq -r .hash)

expect_ok "rotate" "$A" rotate --log "$LOG"
check "rotate prints the rotated file's name" test "$(cat "$T/out")" = "$LOG.1"
check "LOG.1 holds the five old records" test "$(wc -l <"$LOG.1")" -eq 5
check "LOG.1 keeps mode 0600" test "$(stat -c %a "$LOG.1")" = 600
check "the new LOG is 0600" test "$(stat -c %a "$LOG")" = 600
check "the new LOG has one line" test "$(wc -l <"$LOG")" -eq 1
r=$(jq -c --arg h "$old" '[.seq == 6, .prev == $h, .record == {"kind":"mcp.audit/v1","event":"rotate","previous_file":"audit.log.1","previous_seq":5,"previous_hash":$h}] | all' "$LOG")
check "first record: kind mcp.audit/v1, event rotate, prev = old head, seq continues" test "$r" = true
check "the anchor follows the new file" test "$(cat "$LOG.head")" = "$(jq -r .hash "$LOG")"
check "the rotate record recomputes with jq" test "$(rehash 1 "$LOG")" = "$(jq -r .hash "$LOG")"

recs 3 >in3.jsonl
"$A" append --log "$LOG" in3.jsonl || exit 99
expect_ok "the current file verifies alone" "$A" verify --log "$LOG"
expect_ok "the series verifies" "$A" verify --log "$LOG" --series -v
check "verify -v counts 9 lines over both files" grep -q ': 9 record(s) verified' "$T/err"
expect_ok "--expect-head of the old file's head passes with --series" \
	"$A" verify --log "$LOG" --series --expect-head "$old"
expect_tamper 'expected head .* not found' "... but not without it (only LOG is read)" \
	"$A" verify --log "$LOG" --expect-head "$old" --no-anchor
run "$A" rotate --log "$LOG"
check "a second rotation gives LOG.2" test "$(cat "$T/out")" = "$LOG.2"
"$A" append --log "$LOG" in3.jsonl || exit 99
expect_ok "three files verify as one chain" "$A" verify --log "$LOG" --series
head=$(cat "$T/out")
check "the series' head is LOG's last hash" test "$head" = "$(tail -n 1 "$LOG" | jq -r .hash)"
cat "$LOG.1" "$LOG.2" "$LOG" >all.log
jqs 'map(.seq) == [range(1; 14)]' "seq runs on across all files" all.log

# Tampering with the series.
cp "$LOG.1" keep.1
sed -i '3s/"n":3/"n":4/' "$LOG.1"
expect_tamper 'audit.log.1:3: hash mismatch' "an edit in LOG.1 is found by --series" \
	"$A" verify --log "$LOG" --series
cp keep.1 "$LOG.1"
mv "$LOG.1" hidden.1
expect_tamper 'audit.log.2:1: the chain does not start here' "a removed LOG.1 is found by --series" \
	"$A" verify --log "$LOG" --series
mv hidden.1 "$LOG.1"
sed -i '$d' "$LOG.1"
expect_tamper 'audit.log.2:1: seq 6, expected 5; prev does not match' \
	"a cut LOG.1 is found at the next file's first line" "$A" verify --log "$LOG" --series
cp keep.1 "$LOG.1"
mv "$LOG.1" swap && mv "$LOG.2" "$LOG.1" && mv swap "$LOG.2"
expect_tamper 'audit.log.1:1: the chain does not start here' "swapped files are found" \
	"$A" verify --log "$LOG" --series
mv "$LOG.1" swap && mv "$LOG.2" "$LOG.1" && mv swap "$LOG.2"
expect_ok "restored, the series verifies again" "$A" verify --log "$LOG" --series

# A rotation that died after its link left LOG.3 == LOG: the next one
# reuses that name instead of duplicating the records.
ln "$LOG" "$LOG.3"
expect_ok "rotate after an interrupted rotation" "$A" rotate --log "$LOG"
check "it reused LOG.3" sh -c "[ \"\$(cat '$T/out')\" = '$LOG.3' ] && [ ! -e '$LOG.4' ]"
expect_ok "the series still verifies" "$A" verify --log "$LOG" --series

# Nothing to rotate; no log at all.
: >empty.log
expect_ok "rotating an empty log does nothing" "$A" rotate --log "$T/empty.log"
check "and prints nothing" sh -c "[ ! -s '$T/out' ] && [ ! -e '$T/empty.log.1' ]"
expect_fail 1 'nosuch.log: No such file or directory' "rotating a missing log fails" \
	"$A" rotate --log "$T/nosuch.log"
ln -s "$LOG" link.log
expect_fail 1 'link.log: is a symbolic link' "rotate refuses a symlink" "$A" rotate --log "$T/link.log"

# Writers racing rotations: 4 x 300 records while rotating 5 times.
rm -f race.log*
for p in 1 2 3 4; do
	awk -v p="$p" 'BEGIN { for (i = 1; i <= 300; i++)
		printf "{\"kind\":\"mcp.exec/v1\",\"p\":%d,\"n\":%d}\n", p, i }' >"race.$p"
done
pids=
for p in 1 2 3 4; do
	timeout 120 "$A" append --log "$T/race.log" "race.$p" 2>"race.err.$p" &
	pids="$pids $!"
done
# verify runs alongside too: it must never see a false break.
vfails=0
i=0
while [ "$i" -lt 5 ]; do
	sleep 0.05
	timeout 60 "$A" rotate --log "$T/race.log" >/dev/null 2>>race.rot.err
	timeout 60 "$A" verify --series --log "$T/race.log" >/dev/null 2>>race.ver.err ||
		vfails=$((vfails + 1))
	i=$((i + 1))
done
fails=0
for job in $pids; do wait "$job" || fails=$((fails + 1)); done
check "racing writers all succeeded" sh -c "[ $fails -eq 0 ] && ! cat race.err.* race.rot.err | grep -q ."
check "verify during the race never failed" sh -c "[ $vfails -eq 0 ] && [ ! -s race.ver.err ]"
expect_ok "the raced series verifies" "$A" verify --log "$T/race.log" --series
cat race.log.[0-9]* race.log >race.all
jqs '[.[] | select(.record.kind == "mcp.exec/v1")] | length == 1200' "all 1200 records are there" race.all
jqs '[.[] | select(.record.kind == "mcp.exec/v1") | "\(.record.p)/\(.record.n)"] | unique | length == 1200' \
	"each exactly once" race.all

done_testing
