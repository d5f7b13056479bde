#!/bin/sh
# t3001: the built-in policy (no configuration file at all): limit
# defaults and caps, the status and certification rules, and no grant of
# any kind.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/policy-lib.sh"

doc v.json
expect_ok "a plain package is granted" "$MCP_POLICY" v.json
out_kind mcp.spec/v1 "the output is one mcp.spec/v1 document"
check "no warning for a published package at level 1" test ! -s "$T/err"
jq_check '.limits == {cpu_millicores: 1000, memory_bytes: 536870912, pids: 64, fds: 256, timeout_ms: 28800000}' \
	"limits default to 1000m, 512M, 64, 256, 8h"
jq_check '.process.argv == ["/usr/bin/python3", "'"$TREE"'/server.py"] and .process.cwd == "'"$TREE"'"' \
	"argv is the entrypoint's, cwd the tree"
jq_check '.process.env == {PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", HOME: "/tmp"} and .process.pass_env == [] and .process.secrets == [] and .process.umask == "0077"' \
	"the environment is the minimal base, nothing passed through"
jq_check '.filesystem == [] and .network == {mode: "none", allow: []} and .subprocess == false' \
	"no host path, no network, no subprocess"
jq_check '.isolation == {require: ["fds", "environment", "namespaces", "rlimits", "identity", "no_new_privs", "landlock", "seccomp", "timeout"], degrade: []}' \
	"the built-in isolation floor: every layer but cgroup and capabilities"
jq_check '.warnings == [] and .dropped == [] and .policy_sources == []' \
	"no warning, drop or policy source"
jq_check '.ref == "acme/hello@1.0.0" and .package == "acme/hello" and .version == "1.0.0" and .git_sha == null and .status == "published" and .certification_level == 1 and .origin == "community" and .registry == "file:///srv/registry"' \
	"identity members are carried forward"
jq_check '.manifest_digest == "'"$DIG"'" and .bundle_digest == "'"$DIG"'" and .tree == "'"$TREE"'" and .transport == {type: "stdio"}' \
	"digests, tree and transport are carried forward"

RUN_STDIN=v.json expect_ok "the document can come on stdin" "$MCP_POLICY" -
RUN_STDIN=v.json run "$MCP_POLICY"
check "no operand also reads stdin" sh -c "[ $rc -eq 0 ] && jq -e '.kind == \"mcp.spec/v1\"' '$T/out' >/dev/null"

# Limits: the manifest's own values, clamped by the caps, never zero.
doc v.json '.server.limits = {cpu_millicores: 500, memory_bytes: 268435456, pids: 32, fds: 128, timeout_ms: 300000}'
expect_ok "limits within the caps" "$MCP_POLICY" v.json
jq_check '.limits == {cpu_millicores: 500, memory_bytes: 268435456, pids: 32, fds: 128, timeout_ms: 300000}' \
	"limits within the caps are the manifest's"
doc v.json '.server.limits = {cpu_millicores: 64000, memory_bytes: 1099511627776, pids: 100000, fds: 1000000, timeout_ms: 604800000}'
expect_ok "limits above the caps are clamped, not refused" "$MCP_POLICY" v.json
jq_check '.limits == {cpu_millicores: 2000, memory_bytes: 2147483648, pids: 256, fds: 4096, timeout_ms: 86400000}' \
	"caps are 2000m, 2G, 256, 4096, 24h"
jq_check '.warnings | length == 5 and all(test("above the cap"))' "each clamp is a warning in the spec"
check "each clamp is a warning on stderr" \
	sh -c "[ \$(grep -c '^mcp-policy: warning: limits\\.[a-z]*: the manifest asks for .* above the cap .* (built-in); using ' '$T/err') -eq 5 ]"
run "$MCP_POLICY" -q v.json
check "--quiet silences the warnings" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/err' ]"

for bad in 0 -1 1.5 '"512M"' true; do
	doc v.json ".server.limits.memory_bytes = $bad"
	expect_fail 2 "^mcp-policy: v\\.json: server\\.limits\\.memory_bytes: must be a positive integer\$" \
		"a manifest limit of $bad is a bad input, never unlimited" "$MCP_POLICY" v.json
done

# Status.
for s in published; do
	doc v.json ".status = \"$s\""
	expect_ok "status $s is allowed" "$MCP_POLICY" v.json
done
doc v.json '.status = "deprecated"'
expect_ok "status deprecated is allowed" "$MCP_POLICY" v.json
check "... with a warning" grep -q '^mcp-policy: warning: status deprecated: allowed with a warning$' "$T/err"
jq_check '.warnings == ["status deprecated: allowed with a warning"]' "... recorded in the spec"
for s in revoked quarantined draft ingested scanned bogus none; do
	doc v.json ".status = \"$s\""
	expect_fail 3 "^mcp-policy: denied: status $s is not allowed \\(policy\\.status\\.allow, built-in\\)\$" \
		"status $s is refused" "$MCP_POLICY" v.json
	out_kind mcp.denied/v1 "status $s: the output is an mcp.denied/v1 document"
done
jq_check '.reasons == [{rule: "status", message: "status none is not allowed (policy.status.allow, built-in)"}] and .package == "acme/hello" and .manifest_digest == "'"$DIG"'" and .bundle_digest == "'"$DIG"'"' \
	"the denied document has the identity, the digests and the reasons"
doc v.json '.status = null | .certification_level = null | .origin = null | .registry = null'
expect_ok "no registry status (standalone verify) is allowed" "$MCP_POLICY" v.json
check "... with a warning" grep -q '^mcp-policy: warning: no registry status (standalone verification): allowed with a warning$' "$T/err"

# Certification: minimum 0, mode warn: level 0 passes.
doc v.json '.certification_level = 0'
expect_ok "certification level 0 passes the built-in minimum 0" "$MCP_POLICY" v.json

# Grants: none, and each refusal names the request.
doc v.json '.server.permissions.network = ["api.example.com:443"]'
expect_fail 3 '^mcp-policy: denied: network api\.example\.com:443 requested but not granted: network mode is none \(built-in\)$' \
	"network is refused by default" "$MCP_POLICY" v.json
doc v.json '.server.permissions.environment = ["API_KEY"]'
expect_fail 3 '^mcp-policy: denied: environment API_KEY requested but not granted: no policy\.environment in the policy grants it$' \
	"environment is refused by default" "$MCP_POLICY" v.json
doc v.json '.server.permissions.subprocess = true'
expect_fail 3 '^mcp-policy: denied: subprocess true requested but not granted: no policy\.subprocess\.allow in the policy grants it$' \
	"subprocess is refused by default" "$MCP_POLICY" v.json
doc v.json '.server.permissions.filesystem = [{path: "/srv/data", access: "ro"}]'
expect_fail 3 '^mcp-policy: denied: filesystem /srv/data:ro requested but not granted: no policy\.filesystem\.allow in the policy grants it$' \
	"a host path is refused by default" "$MCP_POLICY" v.json
doc v.json '.server.permissions.filesystem = [{path: "data", access: "ro"}, {path: "./lib/x", access: "rx"}]'
expect_ok "bundle-relative read-only paths need no grant" "$MCP_POLICY" v.json
jq_check '.filesystem == []' "... and add no host path"
doc v.json '.server.permissions.filesystem = [{path: "data", access: "rw"}]'
expect_fail 3 '^mcp-policy: denied: filesystem data:rw requested but not granted: the bundle tree is read-only$' \
	"writing into the bundle tree is refused" "$MCP_POLICY" v.json

# Everything at once: every reason is reported.
doc v.json '.status = "revoked" | .server.permissions = {network: ["a.example:80"], environment: ["A"], subprocess: true, filesystem: [{path: "/srv", access: "rw"}]}'
run "$MCP_POLICY" v.json
check "all refusals at once: exit 3" test "$rc" -eq 3
check "... one stderr line per reason" sh -c "[ \$(grep -c '^mcp-policy: denied: ' '$T/err') -eq 5 ] && [ \$(wc -l <'$T/err') -eq 5 ]"
jq_check '[.reasons[].rule] == ["status", "environment", "filesystem", "network", "subprocess"]' "... and in the document"

# The workdir joins the tree.
doc v.json '.server.entrypoint.workdir = "sub/dir/."'
expect_ok "a workdir inside the bundle" "$MCP_POLICY" v.json
jq_check '.process.cwd == "'"$TREE"'/sub/dir"' "cwd is the tree joined with the workdir"

# Fixed values of the package are kept; the caller's values never appear.
doc v.json '.server.entrypoint.env = {PYTHONUNBUFFERED: "1", MODE: "x"}'
SECRET_VALUE_FROM_CALLER=hunter2 expect_ok "fixed environment values" env SECRET_VALUE_FROM_CALLER=hunter2 "$MCP_POLICY" v.json
jq_check '.process.env.PYTHONUNBUFFERED == "1" and .process.env.MODE == "x"' "the package's fixed values are kept"
check "no value of the caller's environment reaches the spec" sh -c "! grep -q hunter2 '$T/out'"

done_testing
