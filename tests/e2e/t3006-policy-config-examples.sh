#!/bin/sh
# t3006: the example files of mcp-config(5) are valid, and behave as the
# page says when layered: the site file bounds the user's file.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/policy-lib.sh"

page=$top_srcdir/man/mcp-config.5
# example N: the Nth literal block after the line matching PATTERN.
example() {
	awk -v pat="$1" '
		index($0, pat) { found = 1 }
		found && /^\.Bd -literal/ { inblock = 1; next }
		inblock && /^\.Ed/ { exit }
		inblock { print }
	' "$page"
}
example "A site policy" >site.yaml
example "A user's file" >user.yaml
check "the site example is not empty" grep -q '^policy:' site.yaml
check "the user example is not empty" grep -q '^policy:' user.yaml
expect_ok "mcp-policy --check accepts the site example" "$MCP_POLICY" --check site.yaml
expect_ok "mcp-policy --check accepts the user example" "$MCP_POLICY" --check user.yaml

doc v.json '.certification_level = 1 | .server.permissions = {network: ["api.acme.example:443", "evil.example:443"], filesystem: [{path: "/home/alice/mcp-work", access: "rw"}], environment: ["ACME_API_TOKEN", "HTTP_PROXY"], subprocess: false}'
expect_ok "site then user" "$MCP_POLICY" --config site.yaml --config user.yaml v.json
jq_check '.network == {mode: "allowlist", allow: ["api.acme.example:443"]}' \
	"the network grant falls within both lists"
jq_check '.filesystem == [] and ([.dropped[].request] == ["/home/alice/mcp-work:rw", "evil.example:443"])' \
	"the user's write grant has no effect under the site file: dropped"
jq_check '.process.secrets == [{name: "ACME_API_TOKEN", as: "env"}] and .process.pass_env == ["HTTP_PROXY"]' \
	"the site's environment lists apply"
jq_check '.limits == {cpu_millicores: 500, memory_bytes: 268435456, pids: 32, fds: 128, timeout_ms: 3600000}' \
	"the site's defaults apply"
jq_check '.isolation.require == ["seccomp", "no_new_privs"] and .policy_sources == ["site.yaml", "user.yaml"]' \
	"isolation and sources"
doc l.json '.certification_level = 0'
expect_fail 3 '^mcp-policy: denied: certification level 0 below minimum 1 \(mode strict, site\.yaml:[0-9]+\)$' \
	"the site's strict certification refuses level 0" "$MCP_POLICY" --config site.yaml --config user.yaml l.json

done_testing
