#!/bin/sh
# t3002: layering of the policy sections: the user's file, then --config
# files in order.  A later layer tightens, never loosens: a looser value is
# ignored with a warning naming FILE:LINE; allow-lists must all agree;
# deny-lists add up.  (The system file is compiled in and may not exist,
# so these tests use the user file and --config files only.)
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/policy-lib.sh"

doc v.json '.server.limits = {memory_bytes: 1073741824, pids: 200}'

# Caps: the minimum over layers; a higher later cap is ignored, loudly.
policy "$USER_CONFIG" <<'Y'
policy:
  limits:
    caps:
      memory: 256M
      pids: 100
Y
policy loose.yaml <<'Y'
policy:
  limits:
    caps:
      memory: 4G
      pids: 50
Y
expect_ok "caps from the user file and a --config file" "$MCP_POLICY" --config loose.yaml v.json
jq_check '.limits.memory_bytes == 268435456 and .limits.pids == 50' \
	"caps are the minimum over layers (256M from the user file, 50 from --config)"
check "the looser cap is ignored with a warning naming file:line" \
	grep -q "^mcp-policy: warning: loose\\.yaml:4: policy\\.limits\\.caps\\.memory 4G is looser than 256M from $USER_CONFIG:4; ignored\$" "$T/err"
jq_check '.policy_sources == ["'"$USER_CONFIG"'", "loose.yaml"]' "policy_sources lists both files in order"
jq_check '[.warnings[] | select(test("looser"))] | length == 1' "the ignored value is also a warning in the spec"

# Defaults: the last file's default, lowered to the caps of every file.
policy d.yaml <<'Y'
policy:
  limits:
    defaults: {memory: 1G, fds: 100, timeout: 1h30m, cpu: 1500m}
Y
doc v2.json
expect_ok "defaults above a cap are lowered to it" "$MCP_POLICY" --config d.yaml v2.json
jq_check '.limits == {cpu_millicores: 1500, memory_bytes: 268435456, pids: 64, fds: 100, timeout_ms: 5400000}' \
	"defaults: 1500m, memory lowered to the 256M cap, 100 fds, 1h30m"
check "... with a warning naming the default and the cap" \
	grep -q "^mcp-policy: warning: d\\.yaml:3: policy\\.limits\\.defaults\\.memory 1G is above the cap 256M from $USER_CONFIG:4; using the cap\$" "$T/err"
rm -f "$USER_CONFIG"

# Certification: minimum is the maximum, mode the strictest.
doc v.json '.certification_level = 1'
policy a.yaml <<'Y'
policy:
  certification: {minimum: 2, mode: strict}
Y
policy b.yaml <<'Y'
policy:
  certification: {minimum: 1, mode: disabled}
Y
expect_fail 3 '^mcp-policy: denied: certification level 1 below minimum 2 \(mode strict, a\.yaml:2\)$' \
	"a later lower minimum and looser mode do not loosen" "$MCP_POLICY" --config a.yaml --config b.yaml v.json
check "... both looser values are named in warnings" sh -c "
	grep -q '^mcp-policy: warning: b\\.yaml:2: policy\\.certification\\.minimum 1 is looser than 2 from a\\.yaml:2; ignored\$' '$T/err' &&
	grep -q '^mcp-policy: warning: b\\.yaml:2: policy\\.certification\\.mode disabled is looser than strict from a\\.yaml:2; ignored\$' '$T/err'"
expect_fail 3 '^mcp-policy: denied: certification level 1 below minimum 2 \(mode strict, a\.yaml:2\)$' \
	"the other way round the later file tightens the earlier" "$MCP_POLICY" --config b.yaml --config a.yaml v.json
check "... and tightening warns about nothing" sh -c "! grep -q warning '$T/err'"
policy w.yaml <<'Y'
policy:
  certification: {minimum: 3}
Y
expect_ok "mode warn (built-in) lets a low level through" "$MCP_POLICY" --config w.yaml v.json
check "... with a warning" grep -q '^mcp-policy: warning: certification level 1 below minimum 3 (mode warn, w\.yaml:2)$' "$T/err"

# Status: a later allow-list intersects; an extra status is ignored.
policy s1.yaml <<'Y'
policy:
  status:
    allow: [published]
Y
policy s2.yaml <<'Y'
policy:
  status:
    allow: [published, deprecated, draft]
Y
doc dep.json '.status = "deprecated"'
expect_fail 3 '^mcp-policy: denied: status deprecated is not allowed \(policy\.status\.allow, s2\.yaml:3\)$' \
	"a status dropped by an earlier file stays refused" "$MCP_POLICY" --config s1.yaml --config s2.yaml dep.json
check "... the extra statuses are ignored with a warning" \
	grep -q '^mcp-policy: warning: s2\.yaml:3: policy\.status\.allow: draft, deprecated not allowed by s1\.yaml:3; ignored$' "$T/err"
policy s3.yaml <<'Y'
policy:
  status:
    allow: [published, deprecated, draft, none]
    warn: []
Y
doc draft.json '.status = "draft"'
expect_ok "a first file may allow more than the built-in policy" "$MCP_POLICY" --config s3.yaml draft.json
expect_ok "... and may silence the built-in warnings" "$MCP_POLICY" --config s3.yaml dep.json
check "... (no warning for deprecated)" test ! -s "$T/err"

# Allow-lists: every layer that gives one must allow; a silent one does not
# restrict.  Deny-lists add up.
policy p1.yaml <<'Y'
policy:
  packages:
    allow: ["acme/*", "other/*"]
Y
policy p2.yaml <<'Y'
policy:
  packages:
    allow: ["other/*", "evil/*"]
Y
policy p3.yaml <<'Y'
policy:
  packages:
    deny: ["*/hello"]
Y
doc v.json
expect_fail 3 '^mcp-policy: denied: package acme/hello is not allowed: not in policy\.packages\.allow at p2\.yaml:3$' \
	"allow-lists intersect: p2 does not list acme/*" "$MCP_POLICY" --config p1.yaml --config p2.yaml v.json
doc evil.json '.package = "evil/x" | .ref = "evil/x@1.0.0"'
expect_fail 3 '^mcp-policy: denied: package evil/x is not allowed: not in policy\.packages\.allow at p1\.yaml:3$' \
	"an entry of a later allow-list cannot widen an earlier one" "$MCP_POLICY" --config p1.yaml --config p2.yaml evil.json
doc other.json '.package = "other/x" | .ref = "other/x@1.0.0"'
expect_ok "a package both lists allow" "$MCP_POLICY" --config p1.yaml --config p2.yaml other.json
expect_fail 3 '^mcp-policy: denied: package acme/hello is not allowed: matches policy\.packages\.deny "\*/hello" at p3\.yaml:3$' \
	"a deny-list in any layer refuses" "$MCP_POLICY" --config p1.yaml --config p3.yaml v.json

# Conflicting filesystem grants: each layer must grant the access.
mkdir -p srv/data
policy f1.yaml <<Y
policy:
  filesystem:
    allow:
      - {path: $T/srv, access: rw}
Y
policy f2.yaml <<Y
policy:
  filesystem:
    allow:
      - {path: $T/srv/data, access: ro}
Y
doc ro.json ".server.permissions.filesystem = [{path: \"$T/srv/data\", access: \"ro\"}]"
doc rw.json ".server.permissions.filesystem = [{path: \"$T/srv/data\", access: \"rw\"}]"
expect_ok "read-only: both layers grant it" "$MCP_POLICY" --config f1.yaml --config f2.yaml ro.json
jq_check '.filesystem == [{path: "'"$T"'/srv/data", access: "ro"}]' "... and the spec binds it read-only"
expect_fail 3 "^mcp-policy: denied: filesystem $T/srv/data:rw requested but not granted: no grant for rw access in policy\\.filesystem\\.allow at f2\\.yaml:4\$" \
	"read-write: the second layer grants only ro" "$MCP_POLICY" --config f1.yaml --config f2.yaml rw.json
expect_ok "read-write with the first layer alone" "$MCP_POLICY" --config f1.yaml rw.json

# Environment: both layers must allow; secrets from any layer.
policy e1.yaml <<'Y'
policy:
  environment:
    allow: ["API_*", "HTTP_PROXY"]
Y
policy e2.yaml <<'Y'
policy:
  environment:
    allow: [HTTP_PROXY]
    secrets: [API_TOKEN]
Y
doc env.json '.server.permissions.environment = ["API_TOKEN", "HTTP_PROXY"]'
expect_ok "a variable each layer allows (one as a secret)" "$MCP_POLICY" --config e1.yaml --config e2.yaml env.json
jq_check '.process.pass_env == ["HTTP_PROXY"] and .process.secrets == [{name: "API_TOKEN", as: "env"}]' \
	"pass_env and secrets carry names only"
doc env2.json '.server.permissions.environment = ["API_URL"]'
expect_fail 3 '^mcp-policy: denied: environment API_URL requested but not granted: not in policy\.environment\.allow or \.secrets at e2\.yaml:3$' \
	"a variable only the first layer allows is refused" "$MCP_POLICY" --config e1.yaml --config e2.yaml env2.json

# Network: the strictest mode; every allow-list must cover the request.
policy n1.yaml <<'Y'
policy:
  network:
    mode: allowlist
    allow: ["*.example.com:443"]
Y
policy n2.yaml <<'Y'
policy:
  network:
    mode: host
    allow: ["api.example.com:*"]
Y
policy n3.yaml <<'Y'
policy:
  network: {mode: none}
Y
doc net.json '.server.permissions.network = ["api.example.com:443"]'
expect_ok "a destination both lists cover" "$MCP_POLICY" --config n1.yaml --config n2.yaml net.json
jq_check '.network == {mode: "allowlist", allow: ["api.example.com:443"]}' "... mode allowlist, the requested destination"
check "... the looser mode is ignored with a warning" \
	grep -q '^mcp-policy: warning: n2\.yaml:3: policy\.network\.mode host is looser than allowlist from n1\.yaml:3; ignored$' "$T/err"
expect_fail 3 '^mcp-policy: denied: network api\.example\.com:443 requested but not granted: network mode is none \(n3\.yaml:2\)$' \
	"a later mode none turns the network off" "$MCP_POLICY" --config n1.yaml --config n3.yaml net.json
doc net2.json '.server.permissions.network = ["www.example.com:443"]'
expect_fail 3 '^mcp-policy: denied: network www\.example\.com:443 requested but not granted: not in policy\.network\.allow at n2\.yaml:4$' \
	"a destination one list does not cover" "$MCP_POLICY" --config n1.yaml --config n2.yaml net2.json

# Subprocess: only if some layer allows and none refuses.
policy sp1.yaml <<'Y'
policy:
  subprocess: {allow: false}
Y
policy sp2.yaml <<'Y'
policy:
  subprocess: {allow: true}
Y
doc sub.json '.server.permissions.subprocess = true'
expect_fail 3 '^mcp-policy: denied: subprocess true requested but not granted: policy\.subprocess\.allow is false \(sp1\.yaml:2\)$' \
	"a refusal stands against a later allow" "$MCP_POLICY" --config sp1.yaml --config sp2.yaml sub.json
check "... the later allow is ignored with a warning" \
	grep -q '^mcp-policy: warning: sp2\.yaml:2: policy\.subprocess\.allow true is looser than false from sp1\.yaml:2; ignored$' "$T/err"
expect_ok "allowed by the only layer that speaks" "$MCP_POLICY" --config sp2.yaml sub.json
jq_check '.subprocess == true' "... subprocess true in the spec"

# Ungranted: deny wins over drop.
policy u1.yaml <<'Y'
policy:
  ungranted: drop
Y
policy u2.yaml <<'Y'
policy:
  ungranted: deny
Y
expect_ok "ungranted drop runs without the request" "$MCP_POLICY" --config u1.yaml sub.json
jq_check '.subprocess == false and .dropped == [{rule: "subprocess", request: "true", message: "subprocess true requested but not granted: no policy.subprocess.allow in the policy grants it"}]' \
	"... and lists it in dropped"
check "... with a warning" grep -q '^mcp-policy: warning: dropped: subprocess true requested but not granted' "$T/err"
expect_fail 3 '^mcp-policy: denied: subprocess true requested' "deny after drop: deny" \
	"$MCP_POLICY" --config u1.yaml --config u2.yaml sub.json
expect_fail 3 '^mcp-policy: denied: subprocess true requested' "drop after deny: still deny" \
	"$MCP_POLICY" --config u2.yaml --config u1.yaml sub.json
check "... with a warning naming the ignored drop" \
	grep -q '^mcp-policy: warning: u1\.yaml:2: policy\.ungranted drop is looser than deny from u2\.yaml:2; ignored$' "$T/err"

# Isolation: require is the union; degrade what every list allows.
policy i1.yaml <<'Y'
policy:
  isolation:
    require: [seccomp]
    degrade: [cgroup, landlock, namespaces]
Y
policy i2.yaml <<'Y'
policy:
  isolation:
    require: [no_new_privs, capabilities]
    degrade: [landlock, seccomp, cgroup]
Y
doc v.json
expect_ok "isolation from two layers" "$MCP_POLICY" --config i1.yaml --config i2.yaml v.json
jq_check '.isolation == {require: ["seccomp", "no_new_privs", "capabilities"], degrade: ["cgroup", "landlock"]}' \
	"require is the union, degrade the intersection minus require"

# The user file is a layer like the others, read before --config.
policy "$USER_CONFIG" <<'Y'
policy:
  packages:
    deny: ["acme/*"]
Y
expect_fail 3 "^mcp-policy: denied: package acme/hello is not allowed: matches policy\\.packages\\.deny \"acme/\\*\" at $USER_CONFIG:3\$" \
	"the user file applies with no --config" "$MCP_POLICY" v.json
expect_fail 3 '^mcp-policy: denied: package acme/hello' "a --config file cannot lift the user file's deny" \
	"$MCP_POLICY" --config p1.yaml v.json
run "$MCP_POLICY" -v --config p1.yaml other.json
check "--verbose names each file read" sh -c "[ $rc -eq 0 ] && grep -qx 'mcp-policy: read $USER_CONFIG (policy)' '$T/err' && grep -qx 'mcp-policy: read p1.yaml (policy)' '$T/err'"
rm -f "$USER_CONFIG"

expect_fail 2 '^mcp-policy: missing\.yaml: No such file or directory$' "a --config file must exist" \
	"$MCP_POLICY" --config missing.yaml v.json

done_testing
