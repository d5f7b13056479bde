#!/bin/sh
# t3003: each rule on its own: certification modes, origins, registries,
# the environment (and the variables never passed), filesystem grants
# (symlinks, kernel paths), network destinations, and ungranted: drop.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/policy-lib.sh"

# Certification.
doc v.json '.certification_level = 1'
for mode in strict warn disabled; do
	policy c-$mode.yaml <<Y
policy:
  certification:
    minimum: 2
    mode: $mode
Y
done
expect_fail 3 '^mcp-policy: denied: certification level 1 below minimum 2 \(mode strict, c-strict\.yaml:4\)$' \
	"certification strict refuses a lower level" "$MCP_POLICY" --config c-strict.yaml v.json
expect_ok "certification warn allows it" "$MCP_POLICY" --config c-warn.yaml v.json
check "... with a warning" grep -q '^mcp-policy: warning: certification level 1 below minimum 2 (mode warn, c-warn\.yaml:4)$' "$T/err"
jq_check '.warnings == ["certification level 1 below minimum 2 (mode warn, c-warn.yaml:4)"]' "... kept in the spec"
expect_ok "certification disabled does not check" "$MCP_POLICY" --config c-disabled.yaml v.json
check "... silently" test ! -s "$T/err"
doc v3.json '.certification_level = 3'
expect_ok "certification strict lets a higher level through" "$MCP_POLICY" --config c-strict.yaml v3.json
doc vn.json '.certification_level = null'
expect_fail 3 '^mcp-policy: denied: certification level 0 below minimum 2 ' \
	"no level (standalone verify) counts as 0" "$MCP_POLICY" --config c-strict.yaml vn.json

# Origins and registries.
policy o.yaml <<'Y'
policy:
  origins: {allow: [official, verified]}
  registries: {allow: ["https://hub.example.com/*", "file:///srv/*"]}
Y
expect_fail 3 '^mcp-policy: denied: origin community is not allowed: not in policy\.origins\.allow at o\.yaml:2$' \
	"an origin not listed is refused" "$MCP_POLICY" --config o.yaml v.json
doc off.json '.origin = "official"'
expect_ok "a listed origin and registry" "$MCP_POLICY" --config o.yaml off.json
doc reg.json '.origin = "official" | .registry = "https://evil.example.net/v1"'
expect_fail 3 '^mcp-policy: denied: registry https://evil\.example\.net/v1 is not allowed: not in policy\.registries\.allow at o\.yaml:3$' \
	"a registry not listed is refused" "$MCP_POLICY" --config o.yaml reg.json
doc none.json '.origin = null | .registry = null'
run "$MCP_POLICY" --config o.yaml none.json
check "no origin or registry (standalone) does not match a list" sh -c "[ $rc -eq 3 ] && grep -q '^mcp-policy: denied: origin none is not allowed' '$T/err' && grep -q '^mcp-policy: denied: registry none is not allowed' '$T/err'"

# Packages: '*' does not cross '/'.
policy pk.yaml <<'Y'
policy:
  packages: {allow: ["acme*"]}
Y
expect_fail 3 '^mcp-policy: denied: package acme/hello is not allowed: not in policy\.packages\.allow at pk\.yaml:2$' \
	"a package glob's * stops at the slash" "$MCP_POLICY" --config pk.yaml v.json

# Environment: names only; loader and interpreter variables never pass.
policy env.yaml <<'Y'
policy:
  environment:
    allow: ["*"]
Y
doc e.json '.server.permissions.environment = ["HOME_URL", "TOKEN"]'
TOKEN=s3cr3t-value expect_ok "allow * passes requested names" env TOKEN=s3cr3t-value "$MCP_POLICY" --config env.yaml e.json
jq_check '.process.pass_env == ["HOME_URL", "TOKEN"]' "... by name"
check "... never by value" sh -c "! grep -q s3cr3t-value '$T/out'"
for var in LD_PRELOAD LD_LIBRARY_PATH LD_AUDIT DYLD_INSERT_LIBRARIES GLIBC_TUNABLES GCONV_PATH \
	PYTHONPATH PYTHONHOME PYTHONSTARTUP NODE_OPTIONS NODE_PATH PERL5LIB PERL5OPT RUBYOPT \
	BASH_ENV ENV IFS PATH JAVA_TOOL_OPTIONS; do
	doc f.json ".server.permissions.environment = [\"$var\"]"
	expect_fail 3 "^mcp-policy: denied: environment $var requested but not granted: $var changes how programs load or run and is never passed\$" \
		"$var is never passed, even with allow *" "$MCP_POLICY" --config env.yaml f.json
done
doc bad.json '.server.permissions.environment = ["A=B"]'
expect_fail 2 '^mcp-policy: bad\.json: server\.permissions\.environment\[0\]: not a variable name$' \
	"a malformed variable name is a bad input" "$MCP_POLICY" --config env.yaml bad.json

# Filesystem: grants by path prefix, component-wise; symlinks resolved.
mkdir -p host/data host/database host/other
ln -s ../other host/data/link
policy fs.yaml <<Y
policy:
  filesystem:
    allow:
      - path: $T/host/data
        access: rw
      - path: /
        access: ro
Y
doc f.json ".server.permissions.filesystem = [{path: \"$T/host/data/sub\", access: \"rw\"}, {path: \"/nonexistent-mcp-test/share\", access: \"ro\"}]"
expect_ok "paths under a grant" "$MCP_POLICY" --config fs.yaml f.json
jq_check '.filesystem == [{path: "'"$T"'/host/data/sub", access: "rw"}, {path: "/nonexistent-mcp-test/share", access: "ro"}]' \
	"the spec lists the granted host paths"
doc f.json ".server.permissions.filesystem = [{path: \"$T/host/data\", access: \"ro\"}, {path: \"$T/host/data/\", access: \"ro\"}]"
expect_ok "the same path asked for twice" "$MCP_POLICY" --config fs.yaml f.json
jq_check '.filesystem == [{path: "'"$T"'/host/data", access: "ro"}]' "... is bound once"
doc f.json ".server.permissions.filesystem = [{path: \"$T/host/database\", access: \"rw\"}]"
expect_fail 3 "^mcp-policy: denied: filesystem $T/host/database:rw requested but not granted: no grant for rw access in policy\\.filesystem\\.allow at fs\\.yaml:4\$" \
	"a grant of DIR does not cover DIRectory" "$MCP_POLICY" --config fs.yaml f.json
doc f.json ".server.permissions.filesystem = [{path: \"$T/host/data/link\", access: \"rw\"}]"
expect_fail 3 "^mcp-policy: denied: filesystem $T/host/data/link:rw requested but not granted: resolves to $T/host/other: no grant for rw access" \
	"a symlink out of a grant is refused" "$MCP_POLICY" --config fs.yaml f.json
doc f.json ".server.permissions.filesystem = [{path: \"$T/host/data/link\", access: \"ro\"}]"
expect_ok "a symlink to a granted place" "$MCP_POLICY" --config fs.yaml f.json
jq_check '.filesystem == [{path: "'"$T"'/host/other", access: "ro"}]' "... binds where it really leads"
ln -s host/data alias
policy fsalias.yaml <<Y
policy:
  filesystem:
    allow:
      - {path: $T/alias, access: rw}
Y
doc f.json ".server.permissions.filesystem = [{path: \"$T/host/data/new\", access: \"rw\"}, {path: \"$T/alias\", access: \"rw\"}]"
expect_ok "a grant through a symlink covers where it leads" "$MCP_POLICY" --config fsalias.yaml f.json
jq_check '.filesystem == [{path: "'"$T"'/host/data/new", access: "rw"}, {path: "'"$T"'/host/data", access: "rw"}]' \
	"... both by its name and by where it leads"
for p in /proc/self /sys /dev/kvm; do
	doc f.json ".server.permissions.filesystem = [{path: \"$p\", access: \"ro\"}]"
	expect_fail 3 "^mcp-policy: denied: filesystem $p:ro requested but not granted: /[a-z]+ is a kernel interface and is never granted\$" \
		"$p is never granted, even under a grant of /" "$MCP_POLICY" --config fs.yaml f.json
done
doc f.json '.server.permissions.filesystem = [{path: "../etc", access: "ro"}]'
expect_fail 2 '^mcp-policy: f\.json: server\.permissions\.filesystem\[0\]\.path: leaves the bundle tree$' \
	"a bundle path out of the tree is a bad input" "$MCP_POLICY" --config fs.yaml f.json
doc f.json '.server.permissions.filesystem = [{path: "/srv/../etc", access: "ro"}]'
expect_fail 2 '^mcp-policy: f\.json: server\.permissions\.filesystem\[0\]\.path: "\.\." is not allowed$' \
	"a host path with .. is a bad input" "$MCP_POLICY" --config fs.yaml f.json

# Network: wildcards cover subdomains, never the bare domain; ports match.
policy net.yaml <<'Y'
policy:
  network:
    mode: allowlist
    allow: ["*.example.com:443", "db.internal:5432", "LOGS.Example.org:*"]
Y
doc n.json '.server.permissions.network = ["a.b.example.com:443", "db.internal:5432", "logs.example.org:8080"]'
expect_ok "destinations the allow-list covers" "$MCP_POLICY" --config net.yaml n.json
jq_check '.network == {mode: "allowlist", allow: ["a.b.example.com:443", "db.internal:5432", "logs.example.org:8080"]}' \
	"the spec allows exactly the requested destinations"
# mcp-exec's allowlist relays exact names only: a wildcard or an address
# that the policy would cover is still not granted in mode allowlist.
for d in '*.api.example.com:443' '10.0.0.1:443'; do
	doc n.json ".server.permissions.network = [\"$d\"]"
	policy net-ip.yaml <<'Y'
policy:
  network:
    mode: allowlist
    allow: ["*.example.com:443", "10.0.0.1:443"]
Y
	expect_fail 3 "^mcp-policy: denied: network $(printf '%s' "$d" | sed 's/[.*]/\\&/g') requested but not granted: mode allowlist enforces exact host names; a wildcard or an address cannot be granted\$" \
		"$d cannot be granted in mode allowlist" "$MCP_POLICY" --config net-ip.yaml n.json
done
for d in example.com:443 a.example.com:80 db.internal:5433 '*.com:443' evil-example.com:443; do
	doc n.json ".server.permissions.network = [\"$d\"]"
	expect_fail 3 "^mcp-policy: denied: network $(printf '%s' "$d" | sed 's/[.*]/\\&/g') requested but not granted: not in policy\\.network\\.allow at net\\.yaml:4\$" \
		"$d is not covered" "$MCP_POLICY" --config net.yaml n.json
done
policy host.yaml <<'Y'
policy:
  network: {mode: host}
Y
doc n.json '.server.permissions.network = ["anything.example:1"]'
expect_ok "mode host grants what the manifest asks" "$MCP_POLICY" --config host.yaml n.json
jq_check '.network == {mode: "host", allow: ["anything.example:1"]}' "... with mode host"
doc n0.json
expect_ok "mode host, nothing requested" "$MCP_POLICY" --config host.yaml n0.json
jq_check '.network == {mode: "none", allow: []}' "... gives no network at all"
doc n.json '.server.permissions.network = ["no-port.example"]'
expect_fail 2 '^mcp-policy: n\.json: server\.permissions\.network\[0\]: not HOST:PORT$' \
	"a malformed destination is a bad input" "$MCP_POLICY" --config host.yaml n.json

# ungranted: drop removes what is not granted and says so.
policy drop.yaml <<'Y'
policy:
  ungranted: drop
  environment: {allow: [OK_VAR]}
Y
doc d.json '.server.permissions = {network: ["api.example.com:443"], environment: ["OK_VAR", "NOPE", "LD_PRELOAD"], subprocess: true, filesystem: [{path: "/srv/x", access: "ro"}]}'
expect_ok "ungranted: drop" "$MCP_POLICY" --config drop.yaml d.json
jq_check '[.dropped[] | .rule + " " + .request] == ["environment NOPE", "environment LD_PRELOAD", "filesystem /srv/x:ro", "network api.example.com:443", "subprocess true"]' \
	"dropped lists every request not granted"
jq_check '.process.pass_env == ["OK_VAR"] and .network.mode == "none" and .subprocess == false and .filesystem == []' \
	"the spec grants only what was granted"
check "each drop is a warning on stderr" sh -c "[ \$(grep -c '^mcp-policy: warning: dropped: ' '$T/err') -eq 5 ]"

done_testing
