#!/bin/sh
# t3005: --explain prints a table of every rule, its input and outcome
# instead of the document, with the same exit status; hostile text in the
# input is escaped.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/policy-lib.sh"

policy p.yaml <<'Y'
policy:
  ungranted: drop
  limits:
    caps: {memory: 1G}
  environment: {allow: [HTTP_PROXY], secrets: [API_KEY]}
Y
doc v.json '.status = "deprecated" | .server.limits = {memory_bytes: 4294967296, pids: 10} | .server.permissions = {environment: ["HTTP_PROXY", "API_KEY", "OTHER"], network: ["api.example.com:443"], subprocess: false, filesystem: []}'
expect_ok "--explain on a granted package" "$MCP_POLICY" --explain --config p.yaml v.json
check "the first line names the policy sources" grep -qx 'policy: built-in, p.yaml' "$T/out"
check "a header row" grep -Eq '^RULE +INPUT +OUTCOME +DETAIL$' "$T/out"
for r in package status certification origin registry limits.cpu limits.memory limits.pids \
	limits.fds limits.timeout environment network; do
	check "a row for $r" grep -Eq "^$r " "$T/out"
done
check "status deprecated: warn" grep -Eq '^status +deprecated +warn +status deprecated: allowed with a warning$' "$T/out"
check "memory: clamped to the cap" grep -Eq '^limits\.memory +4G +clamp +limits\.memory: the manifest asks for 4G, above the cap 1G \(p\.yaml:4\); using 1G$' "$T/out"
check "pids: the manifest's value" grep -Eq '^limits\.pids +10 +allow +within the cap 256 \(built-in\)$' "$T/out"
check "cpu: the default" grep -Eq '^limits\.cpu +\(not requested\) +default +default 1000m \(built-in\)$' "$T/out"
check "a variable granted" grep -Eq '^environment +HTTP_PROXY +grant ' "$T/out"
check "a secret granted" grep -Eq '^environment +API_KEY +grant +secret, passed by name' "$T/out"
check "a variable dropped" grep -Eq '^environment +OTHER +drop +not in policy\.environment\.allow or \.secrets at p\.yaml:5$' "$T/out"
check "network dropped" grep -Eq '^network +api\.example\.com:443 +drop +network mode is none \(built-in\)$' "$T/out"
check "the last line sums up" sh -c "tail -n 1 '$T/out' | grep -qx 'result: granted (2 warnings, 2 dropped)'"
check "stdout is no JSON document" sh -c "! jq -e . '$T/out' >/dev/null 2>&1"

doc r.json '.status = "revoked"'
run "$MCP_POLICY" --explain r.json
check "--explain on a refused package exits 3" test "$rc" -eq 3
check "... shows the refusal in the table" grep -Eq '^status +revoked +deny +status revoked is not allowed \(policy\.status\.allow, built-in\)$' "$T/out"
check "... sums it up" sh -c "tail -n 1 '$T/out' | grep -qx 'result: denied (1 reason)'"
check "... and gives the reason on stderr" grep -qx 'mcp-policy: denied: status revoked is not allowed (policy.status.allow, built-in)' "$T/err"

# Control characters from the document never reach the terminal raw.
doc h.json '.registry = "file:///x\u001b[31mred\u0007" | .server.permissions.network = ["evil.example:1"]'
run "$MCP_POLICY" --explain h.json
check "escape bytes in the input are escaped in the table" sh -c "[ $rc -eq 3 ] && ! grep -q \"\$(printf '\\033')\" '$T/out' && grep -q 'x\\\\x1b\\[31mred\\\\x07' '$T/out'"

# A cell longer than its column keeps a gutter before the next one.
long=/srv/projects/a-rather-long-directory-name/exports/of/the/day
policy fs.yaml <<'Y'
policy:
  filesystem: {allow: [{path: /srv, access: ro}]}
Y
doc l.json ".server.permissions.filesystem = [{path: \"$long\", access: \"ro\"}]"
expect_ok "--explain with a long input" "$MCP_POLICY" --explain --config fs.yaml l.json
check "... the long cell is followed by two spaces and the outcome" \
	grep -Eq "^filesystem +$long:ro  grant +granted by policy\.filesystem\.allow\$" "$T/out"

# A looser value ignored appears in the table's preamble.
policy a.yaml <<'Y'
policy:
  subprocess: {allow: false}
Y
policy b.yaml <<'Y'
policy:
  subprocess: {allow: true}
Y
doc v2.json
expect_ok "--explain with an ignored looser value" "$MCP_POLICY" --explain --config a.yaml --config b.yaml v2.json
check "... names it with file:line" grep -qx 'policy warning: b.yaml:2: policy.subprocess.allow true is looser than false from a.yaml:2; ignored' "$T/out"

run sh -c "'$MCP_POLICY' --explain v2.json >/dev/full"
check "--explain to a full device fails" sh -c "[ $rc -eq 1 ] && grep -q '^mcp-policy: write to stdout failed' '$T/err'"
run sh -c "'$MCP_POLICY' v2.json >/dev/full"
check "the document to a full device fails" sh -c "[ $rc -eq 1 ] && grep -q '^mcp-policy: write to stdout failed' '$T/err'"

done_testing
