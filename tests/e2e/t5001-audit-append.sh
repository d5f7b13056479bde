#!/bin/sh
# t5001: mcp-audit append writes HACKING.md's line format, chained from the
# genesis hash, recomputable with jq + sha256sum; bad input lines are
# refused by number while the good ones around them are kept.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

recs 3 >in.jsonl
expect_ok "append three records" "$A" append --log "$LOG" in.jsonl
check "append prints nothing" test ! -s "$T/out"
check "three lines" test "$(wc -l <"$LOG")" -eq 3
jqs 'map(.seq) == [1,2,3]' "seq counts from 1" "$LOG"
jqs '.[0].prev == "sha256:" + ("0" * 64)' "first prev is the genesis hash" "$LOG"
jqs '.[1].prev == .[0].hash and .[2].prev == .[1].hash' "each prev is the previous hash" "$LOG"
jqs 'all(.[]; (keys == ["hash","host","prev","record","seq","time","user"]))' \
	"lines have exactly seq, time, host, user, prev, record, hash" "$LOG"
jqs 'all(.[]; .time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"))' \
	"time is RFC 3339 UTC with milliseconds" "$LOG"
jqs '.[2].record == {"kind":"mcp.exec/v1","event":"start","package":"org/pkg","version":"1.0.0","n":3}' \
	"the record is stored as given" "$LOG"
uh=$(jq -s --arg u "$(id -un)" --arg h "$(uname -n)" 'all(.[]; .user == $u and .host == $h)' "$LOG")
check "user is the caller, host the host name" test "$uh" = true

for n in 1 2 3; do
	check "line $n: hash = sha256 of jq -jcS 'del(.hash)'" \
		test "$(rehash $n "$LOG")" = "$(sed -n "${n}p" "$LOG" | jq -r .hash)"
done
check "LOG.head holds the last hash" \
	test "$(cat "$LOG.head")" = "$(tail -n 1 "$LOG" | jq -r .hash)"

# stdin, and a last line without a newline.
printf '{"kind":"mcp.spec/v1","package":"org/pkg"}' >spec.json
RUN_STDIN=spec.json expect_ok "append - reads stdin (last line unterminated)" "$A" append --log "$LOG" -
jqs 'length == 4 and .[3].record.kind == "mcp.spec/v1" and .[3].seq == 4' \
	"the stdin record is line 4" "$LOG"

# Numbers jq cannot print back exactly are stored as strings, with a warning.
echo '{"kind":"mcp.exec/v1","f":1.5,"big":1152921504606846976,"ok":9007199254740991}' >num.jsonl
run "$A" append --log "$LOG" num.jsonl
check "fractions: exit 0 with a warning" \
	sh -c "[ $rc -eq 0 ] && grep -q 'warning: num.jsonl:1: 2 number(s) stored as strings' '$T/err'"
jqs '.[4].record | .f == "1.5" and .big == "1152921504606846976" and .ok == 9007199254740991' \
	"non-canonical numbers became strings, 2^53-1 stays a number" "$LOG"
expect_ok "-q drops the warning" "$A" append -q --log "$T/quiet.log" num.jsonl
check "-q: stderr empty" test ! -s "$T/err"
check "line 5 recomputes with jq" test "$(rehash 5 "$LOG")" = "$(sed -n 5p "$LOG" | jq -r .hash)"

# A bad line is refused by number; the good lines around it are kept.
{
	echo '{"kind":"mcp.exec/v1","n":"a"}'
	echo '{"kind":"mcp.exec/v1",'
	echo '{"kind":"mcp.exec/v1","n":"c"}'
} >bad.jsonl
expect_fail 2 '^mcp-audit: bad.jsonl:2:[0-9]+: ' "truncated JSON on line 2: exit 2, line named" \
	"$A" append --log "$LOG" bad.jsonl
jqs 'length == 7 and .[5].record.n == "a" and .[6].record.n == "c"' \
	"lines 1 and 3 of that input were appended" "$LOG"

printf '%s\n' '[1,2]' >x1; printf '%s\n' '{"kind":"fetch"}' >x2; printf '\n' >x3
printf '%s\n' '{"kind":"mcp.audit/v1","event":"rotate"}' >x4
printf '%s\n' '{"kind":"mcp.exec/v1","a":1,"a":2}' >x5
printf '%s\n' '{"kind":"mcp.exec/v1"} {}' >x6
expect_fail 2 '^mcp-audit: x1:1: not an mcp document' "an array is refused" "$A" append --log "$LOG" x1
expect_fail 2 '^mcp-audit: x2:1: not an mcp document' "a kind without mcp. is refused" "$A" append --log "$LOG" x2
expect_fail 2 '^mcp-audit: x3:1: empty line' "an empty line is refused" "$A" append --log "$LOG" x3
expect_fail 2 '^mcp-audit: x4:1: kind mcp.audit/v1 is reserved' "forged rotate records are refused" \
	"$A" append --log "$LOG" x4
expect_fail 2 '^mcp-audit: x5:1:[0-9]+: duplicate object key' "duplicate keys are refused" "$A" append --log "$LOG" x5
expect_fail 2 '^mcp-audit: x6:1:[0-9]+: end of file expected' "two values on a line are refused" \
	"$A" append --log "$LOG" x6
printf '%s\n' '[' '{"kind":"mcp.exec/v1"}' '{' >x7
run "$A" append --log "$LOG" x7
check "two bad lines: exit 2, both named, one line each" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l <'$T/err') -eq 2 ] && grep -q '^mcp-audit: x7:1:' '$T/err' && grep -q '^mcp-audit: x7:3:' '$T/err'"
check "still 8 lines, nothing of the bad lines" test "$(wc -l <"$LOG")" -eq 8
expect_fail 2 '^mcp-audit: nosuch.jsonl: No such file' "a missing input file is a usage error" \
	"$A" append --log "$LOG" nosuch.jsonl
expect_ok "the log verifies after all that" "$A" verify --log "$LOG"

# A long last line: the tail is read backwards in growing chunks.
big=$(head -c 300000 /dev/zero | tr '\0' y)
printf '{"kind":"mcp.exec/v1","pad":"%s"}\n' "$big" >big.jsonl
expect_ok "append a 300 kB record" "$A" append --log "$T/big.log" big.jsonl
expect_ok "append after it (the tail is the long line)" "$A" append --log "$T/big.log" in.jsonl
jqs 'length == 4 and .[1].prev == .[0].hash and .[1].seq == 2' "chained onto the long line" "$T/big.log"
expect_ok "the log with a long line verifies" "$A" verify --log "$T/big.log"
{ head -c 17000000 /dev/zero | tr '\0' z; echo; } |
	sed 's/^/{"kind":"mcp.exec\/v1","pad":"/; s/$/"}/' >huge.jsonl
echo '{"kind":"mcp.exec/v1","after":"huge"}' >>huge.jsonl
{ printf '{"kind":"mcp.exec/v1","after":"huge"}\n'; cat huge.jsonl | head -n 1 | tr -d '\n'; } >huge-last.jsonl
expect_fail 2 '^mcp-audit: huge.jsonl:1: longer than 16777216 bytes' "a record over 16 MiB is refused" \
	"$A" append --log "$T/huge.log" huge.jsonl
jqs 'length == 1 and .[0].record.after == "huge"' "the line after it is still appended" "$T/huge.log"
expect_fail 2 '^mcp-audit: huge-last.jsonl:2: longer than 16777216 bytes' \
	"an unterminated last line over 16 MiB is refused too" "$A" append --log "$T/huge2.log" huge-last.jsonl

# Modes: the file 0600, a created directory 0700.
expect_ok "append creates missing directories" "$A" append --log "$T/new/dir/audit.log" in.jsonl
check "log is 0600" test "$(stat -c %a "$T/new/dir/audit.log")" = 600
check "created directories are 0700" \
	sh -c "[ \$(stat -c %a '$T/new') = 700 ] && [ \$(stat -c %a '$T/new/dir') = 700 ]"
check "anchor is 0600" test "$(stat -c %a "$T/new/dir/audit.log.head")" = 600

# A symlinked log is refused, whether it points to a log or nowhere.
ln -s "$LOG" link.log
expect_fail 1 '^mcp-audit: .*link.log: is a symbolic link; refusing' "a symlinked log is refused" \
	"$A" append --log "$T/link.log" in.jsonl
ln -s "$T/nowhere" dangling.log
expect_fail 1 'dangling.log: is a symbolic link; refusing' "a dangling symlink is refused (not created)" \
	"$A" append --log "$T/dangling.log" in.jsonl
check "nothing created through the dangling link" test ! -e "$T/nowhere"
expect_fail 1 'link.log: is a symbolic link' "verify refuses the symlink too" "$A" verify --log "$T/link.log"
mkfifo fifo.log
expect_fail 1 'fifo.log: not a regular file' "a FIFO is refused without hanging" \
	timeout 10 "$A" append --log "$T/fifo.log" in.jsonl

# Where the log is: --log, else $MCP_AUDIT_LOG, else config audit.log.
MCP_AUDIT_LOG=$T/env.log expect_ok "MCP_AUDIT_LOG names the log" "$A" append in.jsonl
check "the env log was written" test "$(wc -l <"$T/env.log")" -eq 3
printf 'audit:\n  log: %s\n' "$T/cfg.log" >cfg.yaml
expect_ok "config audit.log names the log" "$A" append --config cfg.yaml in.jsonl
check "the config log was written" test "$(wc -l <"$T/cfg.log")" -eq 3
MCP_AUDIT_LOG=$T/env.log expect_ok "the environment beats the config file" \
	"$A" append --config cfg.yaml in.jsonl
check "env log grew, config log did not" \
	sh -c "[ \$(wc -l <'$T/env.log') -eq 6 ] && [ \$(wc -l <'$T/cfg.log') -eq 3 ]"
MCP_AUDIT_LOG=$T/env.log expect_ok "--log beats the environment" "$A" append --log "$T/flag.log" in.jsonl
check "flag log written" test "$(wc -l <"$T/flag.log")" -eq 3

# The command line.
expect_fail 2 '^mcp-audit: missing command' "no command" "$A"
expect_fail 2 '^mcp-audit: unknown command "frob"' "unknown command" "$A" frob
expect_fail 2 '^mcp-audit: option --log given twice' "--log twice" "$A" append --log a --log b in.jsonl
expect_fail 2 '^mcp-audit: option --since is not valid for append' "an option of another command" \
	"$A" append --log "$LOG" --since 1h in.jsonl
expect_fail 2 '^mcp-audit: append: unexpected argument "two"' "two inputs" "$A" append --log "$LOG" one two
expect_fail 2 '^mcp-audit: verify: unexpected argument' "verify takes no operand" "$A" verify --log "$LOG" x
expect_ok "options before the command work too" "$A" --log "$LOG" verify

done_testing
