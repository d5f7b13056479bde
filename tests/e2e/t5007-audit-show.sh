#!/bin/sh
# t5007: mcp-audit show: the table, --json, the filters, escaping of
# hostile text, and -f following the log across a rotation until SIGTERM.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

cat >in.jsonl <<'JSON'
{"kind":"mcp.fetch/v1","package":"org/alpha","version":"1.0.0"}
{"kind":"mcp.spec/v1","package":"org/alpha","version":"1.0.0"}
{"kind":"mcp.denied/v1","package":"org/beta","version":"2.0.0","reasons":[]}
{"kind":"mcp.exec/v1","event":"start","package":"org/alpha","version":"1.0.0","pid":10}
{"kind":"mcp.exec/v1","event":"end","package":"org/alpha","version":"1.0.0","outcome":"success","exit_code":0}
{"kind":"mcp.exec/v1","event":"end","package":"other/gamma","version":"0.1.0","outcome":"error","exit_code":3}
JSON
"$A" append --log "$LOG" in.jsonl || exit 99

expect_ok "show" "$A" show --log "$LOG"
check "a header and six rows" test "$(wc -l <"$T/out")" -eq 7
check "the header" grep -Eq '^ +SEQ +TIME +KIND/EVENT +PACKAGE@VERSION +OUTCOME$' "$T/out"
check "an exec end row: seq, kind/event, package@version, outcome and exit" \
	grep -Eq '^ +5  [0-9T:.Z-]{24}  exec/end +org/alpha@1.0.0 +success \(exit 0\)$' "$T/out"
check "a denial shows as denied" grep -Eq '^ +3  .* denied +org/beta@2.0.0 +denied$' "$T/out"
check "a fetch row without outcome" grep -Eq '^ +1  .* fetch +org/alpha@1.0.0 +-$' "$T/out"

expect_ok "show --json" "$A" show --log "$LOG" --json
check "--json prints the lines as stored" cmp -s "$T/out" "$LOG"

count() { # count N DESC ARGS...: show --json ARGS prints N lines
	_n=$1 _d=$2
	shift 2
	run "$A" show --log "$LOG" --json "$@"
	if [ "$rc" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq "$_n" ]; then ok "$_d"; else
		not_ok "$_d (exit $rc, $(wc -l <"$T/out") lines, expected $_n)"; show_output; fi
}
count 3 "--kind exec (short for mcp.exec/v1)" --kind exec
count 3 "--kind mcp.exec/v1" --kind mcp.exec/v1
count 1 "--kind as a glob" --kind 'mcp.den*'
count 4 "--package org/alpha" --package org/alpha
count 5 "--package as a glob" --package 'org/*'
count 1 "--outcome success" --outcome success
count 1 "--outcome denied" --outcome denied
count 1 "--outcome error" --outcome error
count 1 "filters combine (and)" --kind exec --package 'org/*' --outcome success
count 0 "no match prints nothing" --package nobody/none
count 6 "--since a date long ago" --since 2000-01-01
count 0 "--until a date long ago" --until 2000-01-01T00:00:00Z
count 6 "--since a duration ago (1h)" --since 1h
count 0 "--since tomorrow" --since "$(date -u -d tomorrow +%Y-%m-%d)"
# Times share milliseconds here: count the expected lines with jq (the
# stored format compares as text).
t3=$(sed -n 3p "$LOG" | jq -r .time)
n_since=$(jq -s --arg t "$t3" 'map(select(.time >= $t)) | length' "$LOG")
n_until=$(jq -s --arg t "$t3" 'map(select(.time <= $t)) | length' "$LOG")
count "$n_since" "--since the time of record 3 (inclusive)" --since "$t3"
count "$n_until" "--until the time of record 3 (inclusive)" --until "$t3"
# The same instant written with an offset: 2 hours east of UTC.
t3off=$(date -u -d "$(echo "$t3" | sed 's/T/ /; s/\..*//') UTC + 2 hours" +%Y-%m-%dT%H:%M:%S).$(echo "$t3" | sed 's/.*\.\(...\)Z/\1/')+02:00
count "$n_until" "--until with a +02:00 offset means the same instant" --until "$t3off"
expect_fail 2 "^mcp-audit: option --since: \"yesterday\" is neither" "a bad --since is a usage error" \
	"$A" show --log "$LOG" --since yesterday
expect_fail 2 '^mcp-audit: option --json is not valid for verify' "--json belongs to show" \
	"$A" verify --log "$LOG" --json
expect_fail 1 'nosuch.log: No such file or directory' "show of a missing log" "$A" show --log "$T/nosuch.log"

# Hostile text in the table is escaped, never sent to the terminal raw.
printf '%s\n' '{"kind":"mcp.exec/v1","package":"evil/\u001b]0;owned\u0007x","version":"1\u001b[2J"}' >evil.jsonl
"$A" append --log "$LOG" evil.jsonl || exit 99
expect_ok "show a hostile record" "$A" show --log "$LOG"
check "no escape byte reaches the output" sh -c "! grep -q \"\$(printf '\\033')\" '$T/out'"
check "it is shown escaped" grep -q 'evil/\\x1b\]0;owned\\x07x@1\\x1b\[2J' "$T/out"

# -f: follow appends and a rotation, stop on SIGTERM with status 0.
# The file exists before the reader starts: the redirection of a
# background command happens in the child, and a wait that found no file
# would end at once (the test's own race, seen on a loaded CI).
: >follow.out
"$A" show --log "$LOG" --json -f --kind exec >>follow.out 2>follow.err &
fpid=$!
wait_lines() { # wait_lines N: until follow.out has N lines, at most 30 s (a loaded CI)
	_i=0
	while [ "$(wc -l <follow.out)" -lt "$1" ] && [ "$_i" -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
wait_lines 4
check "-f first prints the matching lines there are" test "$(wc -l <follow.out)" -eq 4
recs 2 >more.jsonl
"$A" append --log "$LOG" more.jsonl
wait_lines 6
check "-f shows new records as they are appended" test "$(wc -l <follow.out)" -eq 6
"$A" rotate --log "$LOG" >/dev/null
"$A" append --log "$LOG" more.jsonl
wait_lines 8
check "-f follows the log across a rotation" test "$(wc -l <follow.out)" -eq 8
jqs '.[6:] | map(.seq) == [11, 12]' "... from the new file's records" follow.out
kill -TERM "$fpid"
wait "$fpid"
frc=$?
check "-f exits 0 on SIGTERM" test "$frc" -eq 0
check "-f printed nothing on stderr" test ! -s follow.err

done_testing
