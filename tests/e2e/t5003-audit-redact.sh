#!/bin/sh
# t5003: secrets never reach the log (DESIGN.md invariant 4).  A canary
# secret named by --secret, and another named by a spec's
# process.secrets, are replaced by value wherever they occur; values under
# sensitive keys are replaced whole; the chain still verifies.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

CANARY_ONE=canary-1-d41d8cd98f00b204
CANARY_TWO=canary-2-e9800998ecf8427e
NOT_SECRET=canary-3-not-named-here
export CANARY_ONE CANARY_TWO NOT_SECRET

cat >in.jsonl <<JSON
{"kind":"mcp.fetch/v1","package":"org/pkg","note":"token=$CANARY_ONE;","list":["$CANARY_ONE",{"deep":"x${CANARY_ONE}y"}]}
{"kind":"mcp.spec/v1","package":"org/pkg","process":{"argv":["/bin/srv","--key=$CANARY_ONE"],"env":{"PATH":"/bin","GITHUB_TOKEN":"ghp_plain","api_key":"k","Db_Password":"p"},"secrets":[{"name":"CANARY_TWO","as":"env"}]}}
{"kind":"mcp.exec/v1","event":"end","package":"org/pkg","message":"server said $CANARY_TWO and $NOT_SECRET","headers":{"Authorization":"Bearer abc","Cookie":"sid=1"},"$CANARY_ONE":"as a key"}
JSON

expect_ok "append with --secret" "$A" append --log "$LOG" --secret CANARY_ONE --redact-key 'cookie' in.jsonl
check "nothing on stderr" test ! -s "$T/err"
check "the --secret canary is nowhere in the log" sh -c "! grep -q '$CANARY_ONE' '$LOG'"
check "the spec-named canary is nowhere in the log" sh -c "! grep -q '$CANARY_TWO' '$LOG'"
check "nor in the anchor" sh -c "! grep -q canary '$LOG.head'"
jqs '.[0].record.note == "token=[REDACTED];"' "a secret inside a string is cut out" "$LOG"
jqs '.[0].record.list == ["[REDACTED]",{"deep":"x[REDACTED]y"}]' "in arrays and nested objects too" "$LOG"
jqs '.[1].record.process.argv[1] == "--key=[REDACTED]"' "in argv" "$LOG"
jqs '.[1].record.process.env == {"PATH":"/bin","GITHUB_TOKEN":"[REDACTED]","api_key":"[REDACTED]","Db_Password":"[REDACTED]"}' \
	"*_TOKEN, *_KEY, *_PASSWORD keys are redacted, case-insensitively" "$LOG"
jqs '.[1].record.process.secrets == [{"name":"CANARY_TWO","as":"env"}]' "secret names stay" "$LOG"
jqs '.[2].record.message | startswith("server said [REDACTED] and ")' \
	"a spec's secret is redacted in later records" "$LOG"
jqs '.[2].record.headers == {"Authorization":"[REDACTED]","Cookie":"[REDACTED]"}' \
	"authorization, and --redact-key globs" "$LOG"
jqs '.[2].record["[REDACTED]"] == "as a key"' "a secret used as a key is redacted" "$LOG"
check "an unnamed variable is not redacted (redaction is by name)" grep -q "$NOT_SECRET" "$LOG"
expect_ok "the redacted log verifies" "$A" verify --log "$LOG"
check "line 2 recomputes with jq after redaction" \
	test "$(rehash 2 "$LOG")" = "$(sed -n 2p "$LOG" | jq -r .hash)"

# A secret in a line that is refused never reaches stderr raw either way:
# the error names the line, not its content.
printf '{"kind":"mcp.exec/v1","x":"%s"\n' "$CANARY_ONE" >bad.jsonl
expect_fail 2 '^mcp-audit: bad.jsonl:1:' "a bad line is refused" \
	"$A" append --log "$LOG" --secret CANARY_ONE bad.jsonl
check "the refused line's secret is not echoed" sh -c "! grep -q '$CANARY_ONE' '$T/err'"
# jansson quotes a bad token, or the start of one, in its message.
printf '{"kind":"mcp.exec/v1","x":%s}\n' "$CANARY_ONE" >bad2.jsonl
expect_fail 2 '^mcp-audit: bad2.jsonl:1:[0-9]+: invalid token$' "a secret as a bare token is refused" \
	"$A" append --log "$LOG" --secret CANARY_ONE bad2.jsonl
check "not even a prefix of it is echoed" sh -c "! grep -q 'canary' '$T/err'"

# A secret that happens to be part of a kind still leaves a valid log.
echo '{"kind":"mcp.exec/v1","event":"start"}' >kind.jsonl
EXECSECRET=exec expect_ok "a secret inside the kind" \
	"$A" append --log "$T/kind.log" --secret EXECSECRET kind.jsonl
jqs '.[0].record.kind == "mcp.[REDACTED]/v1"' "the kind is redacted too" "$T/kind.log"
expect_ok "and the log verifies" "$A" verify --log "$T/kind.log"

# audit.redact in the configuration files adds key globs to the built-in
# ones and to --redact-key; a user's file cannot take back the system's.
mkdir -p "$XDG_CONFIG_HOME/mcp"
printf 'audit:\n  redact: ["*_PIN"]\n' >"$XDG_CONFIG_HOME/mcp/config.yaml"
printf 'audit:\n  redact: [session]\n' >more.yaml
echo '{"kind":"mcp.exec/v1","event":"start","CARD_PIN":"1234","Session":"s-1","cookie":"c","keep":"k"}' >pin.jsonl
expect_ok "append with audit.redact from two files and --redact-key" \
	"$A" append --log "$T/pin.log" --config more.yaml --redact-key cookie pin.jsonl
jqs '.[0].record == {"kind":"mcp.exec/v1","event":"start","CARD_PIN":"[REDACTED]","Session":"[REDACTED]","cookie":"[REDACTED]","keep":"k"}' \
	"the user's, the --config file's and the command line's globs all apply" "$T/pin.log"
expect_ok "with --log too, the configuration is read" \
	"$A" append --log "$T/pin2.log" pin.jsonl
jqs '.[0].record.CARD_PIN == "[REDACTED]" and .[0].record.Session == "s-1"' \
	"a --log does not skip the configuration's audit.redact" "$T/pin2.log"
printf 'audit:\n  redact: "*_PIN"\n' >bad-redact.yaml
expect_fail 2 '^mcp-audit: .*bad-redact.yaml:2:11: audit.redact: must be a list of strings$' \
	"audit.redact must be a list" "$A" append --log "$T/pin3.log" --config bad-redact.yaml pin.jsonl
check "a bad configuration writes nothing" test ! -e "$T/pin3.log"
rm "$XDG_CONFIG_HOME/mcp/config.yaml"

# --secrets-from SPEC: the secrets a spec names, for input that does not
# hold the spec (the records of mcp-exec, as mcp-run's appender sees them).
echo '{"kind":"mcp.spec/v1","process":{"secrets":[{"name":"CANARY_TWO","as":"env"}]}}' >spec.json
echo '{"kind":"mcp.exec/v1","event":"start","argv":["srv","--k='"$CANARY_TWO"'"]}' >rec.jsonl
expect_ok "append --secrets-from" "$A" append --log "$T/sf.log" --secrets-from spec.json rec.jsonl
check "the spec's secret is redacted in the records" sh -c "! grep -q '$CANARY_TWO' '$T/sf.log'"
jqs '.[0].record.argv == ["srv","--k=[REDACTED]"]' "by value, inside argv" "$T/sf.log"
expect_fail 2 '^mcp-audit: --secrets-from: .*rec.jsonl.*mcp.spec/v1' \
	"--secrets-from takes a spec only" "$A" append --log "$T/sf2.log" --secrets-from rec.jsonl rec.jsonl
expect_fail 2 '^mcp-audit: --secrets-from: .*no-such.json' \
	"--secrets-from: a missing file" "$A" append --log "$T/sf2.log" --secrets-from no-such.json rec.jsonl
expect_fail 2 '^mcp-audit: option --secrets-from: needs a file, not "-"$' \
	"--secrets-from -: standard input is the records'" "$A" append --log "$T/sf2.log" --secrets-from - rec.jsonl
expect_fail 2 '^mcp-audit: option --secrets-from is not valid for verify$' \
	"--secrets-from is for append" "$A" verify --log "$T/sf.log" --secrets-from spec.json
check "no log was written by the refused appends" test ! -e "$T/sf2.log"
echo '{"kind":"mcp.spec/v1","process":{"secrets":[{"as":"env"}]}}' >noname.json
expect_fail 2 '^mcp-audit: --secrets-from: noname.json: process.secrets\[0\] has no name$' \
	"--secrets-from: a secret without a name" "$A" append --log "$T/sf2.log" --secrets-from noname.json rec.jsonl

# Short values would mangle every record: warn.
SHORT=ab expect_ok "a short secret is accepted" "$A" append --log "$T/short.log" --secret SHORT in.jsonl
check "with a warning" grep -q 'warning: secret SHORT is shorter than 4 bytes' "$T/err"
check "and still redacted" sh -c "! grep -q 'ab' '$T/short.log' || ! jq -e -s 'map(.record|tostring)|join(\"\")|test(\"ab\")' '$T/short.log' >/dev/null"

done_testing
