#!/bin/sh
# t3004: malformed configuration (tabs, duplicate keys, wrong types, huge
# numbers, alias bombs, tags, unknown keys) and malformed input documents:
# each is exit 2 with FILE:LINE:COL and the key, before any decision.
# --check validates one file alone.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/policy-lib.sh"

doc v.json

# bad NAME REGEX DESC: the YAML on stdin, as a --config file and alone.
bad() {
	cat >"$1"
	expect_fail 2 "^mcp-policy: $1:$2\$" "$3" "$MCP_POLICY" --config "$1" v.json
	expect_fail 2 "^mcp-policy: $1:$2\$" "--check: $3" "$MCP_POLICY" --check "$1"
}

# (Not `printf | bad`: a pipeline would count the results in a subshell.)
printf 'policy:\n\tsubprocess: {allow: false}\n' >tab.in
bad tab.yaml \
	'2:1: found character that cannot start any token .*' "a tab used as indentation" <tab.in
bad dup.yaml '3:3: duplicate key "limits"' "a duplicate key" <<'Y'
policy:
  limits: {}
  limits: {}
Y
bad dup2.yaml '4:5: duplicate key "allow"' "a duplicate nested key" <<'Y'
policy:
  network:
    allow: ["a.example:443"]
    allow: ["*.example:443"]
Y
bad bomb.yaml '[0-9]+:[0-9]+: anchors and aliases are not allowed' "an alias bomb" <<'Y'
a: &a ["x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b]
policy:
  environment:
    allow: *c
Y
bad tag.yaml '2:15: tags are not allowed' "a tag" <<'Y'
policy:
  subprocess: !!map {allow: true}
Y
bad unknown.yaml '3:12: policy\.limits\.caps: unknown key "memroy"' "an unknown key names file:line:col and the key" <<'Y'
policy:
  limits:
    caps: {memroy: 1G}
Y
bad unknown2.yaml '2:3: policy: unknown key "grants"' "an unknown policy key" <<'Y'
policy:
  grants: {network: true}
Y
bad unknown3.yaml '1:1: configuration: unknown key "polcy"' "an unknown section" <<'Y'
polcy:
  subprocess: {allow: true}
Y
bad type1.yaml '1:9: policy: must be a mapping' "policy must be a mapping" <<'Y'
policy: [subprocess]
Y
bad type2.yaml '2:23: policy\.subprocess\.allow: must be true or false' "yes is not a boolean" <<'Y'
policy:
  subprocess: {allow: yes}
Y
bad type3.yaml '2:28: policy\.certification\.minimum: must be an integer between 0 and 3' "certification above 3" <<'Y'
policy:
  certification: {minimum: 4}
Y
bad type4.yaml '2:25: policy\.certification\.mode: must be strict, warn or disabled' "an unknown mode" <<'Y'
policy:
  certification: {mode: lenient}
Y
bad type5.yaml '2:21: policy\.packages\.allow: must be a list of strings' "a string where a list is meant" <<'Y'
policy:
  packages: {allow: "acme/*"}
Y
bad huge1.yaml '4:13: policy\.limits\.caps\.pids: must be an integer from 1 to 4194304' "a huge integer" <<'Y'
policy:
  limits:
    caps:
      pids: 340282366920938463463374607431768211457
Y
bad huge2.yaml '4:15: policy\.limits\.caps\.memory: must be a size such as 512M or 2G, at most 1024G' "a size that overflows" <<'Y'
policy:
  limits:
    caps:
      memory: 99999999999999999999G
Y
bad huge3.yaml '4:16: policy\.limits\.defaults\.timeout: must be a duration such as 30m or 1h30m, at most 720h' "a duration over the bound" <<'Y'
policy:
  limits:
    defaults:
      timeout: 10000h
Y
bad zero.yaml '2:24: policy\.limits\.caps\.cpu: must be millicores such as 1500 or 1500m, from 1 to 1024000m' "a zero limit is never unlimited" <<'Y'
policy:
  limits: {caps: {cpu: 0}}
Y
bad neg.yaml '2:28: policy\.limits\.defaults\.fds: must be an integer from 1 to 1048576' "a negative limit" <<'Y'
policy:
  limits: {defaults: {fds: -1}}
Y
bad status.yaml '2:20: policy\.status\.allow\[0\]: "publishd" is not a status .*' "a misspelt status" <<'Y'
policy:
  status: {allow: [publishd]}
Y
bad net.yaml '3:13: policy\.network\.allow\[0\]: "1\.2\.3\.4" is not HOST:PORT .*' "a destination without a port" <<'Y'
policy:
  network:
    allow: [1.2.3.4]
Y
bad net2.yaml '3:11: policy\.network\.mode: must be none, allowlist or host' "an unknown network mode" <<'Y'
policy:
  network:
    mode: open
Y
bad fs.yaml '4:15: policy\.filesystem\.allow\[0\]\.path: "data/\.\./\.\." must be an absolute path without "\.\."' "a relative grant" <<'Y'
policy:
  filesystem:
    allow:
      - path: data/../..
Y
bad fs2.yaml '4:30: policy\.filesystem\.allow\[0\]\.access: must be ro, rx, rw or rwx' "an unknown access" <<'Y'
policy:
  filesystem:
    allow:
      - {path: /srv, access: write}
Y
bad env.yaml '2:25: policy\.environment\.allow\[0\]: "1ABC" is not a variable name .*' "a bad variable name" <<'Y'
policy:
  environment: {allow: [1ABC]}
Y
bad iso.yaml '2:25: policy\.isolation\.require\[0\]: "selinux" is not a layer .*' "an unknown isolation layer" <<'Y'
policy:
  isolation: {require: [selinux]}
Y
bad ung.yaml '2:14: policy\.ungranted: must be deny or drop' "an unknown ungranted" <<'Y'
policy:
  ungranted: ignore
Y

# A bad user file is an error too: it may hold the user's restrictions.
printf 'policy:\n  bogus: 1\n' | policy "$USER_CONFIG"
expect_fail 2 "^mcp-policy: $USER_CONFIG:2:3: policy: unknown key \"bogus\"\$" \
	"a malformed user file stops mcp-policy" "$MCP_POLICY" v.json
rm -f "$USER_CONFIG"

# --check of good files.
cat >good.yaml <<'Y'
# A site policy using every key.
registry:
  url: file:///srv/registry
policy:
  certification: {minimum: 1, mode: strict}
  status:
    allow: [published, deprecated]
    warn: [deprecated]
  packages: {allow: ["acme/*"], deny: ["acme/legacy-*"]}
  origins: {allow: [official, verified]}
  registries: {allow: ["file:///srv/*"]}
  limits:
    defaults: {cpu: 500m, memory: 256M, pids: 32, fds: 128, timeout: 1h}
    caps: {cpu: 1000, memory: 1G, pids: 128, fds: 1024, timeout: 12h}
  environment: {allow: ["HTTP_PROXY", "NO_PROXY"], secrets: ["ACME_*_TOKEN"]}
  filesystem:
    allow:
      - {path: /srv/shared, access: ro}
      - {path: /var/lib/mcp, access: rw}
  network:
    mode: allowlist
    allow: ["*.acme.example:443", "[2001:db8::1]:8443", "192.0.2.10:*"]
  subprocess: {allow: false}
  ungranted: deny
  isolation: {require: [seccomp, no_new_privs], degrade: [cgroup]}
Y
run "$MCP_POLICY" --check good.yaml
check "--check accepts a policy using every key, silently" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/out' ] && [ ! -s '$T/err' ]"
run "$MCP_POLICY" -v --check good.yaml
check "--check -v says ok" sh -c "[ $rc -eq 0 ] && grep -qx 'mcp-policy: good.yaml: ok' '$T/err'"
: >empty.yaml
expect_ok "--check accepts an empty file" "$MCP_POLICY" --check empty.yaml
printf 'policy:\n' >null.yaml
expect_ok "--check accepts an empty policy section" "$MCP_POLICY" --check null.yaml
expect_ok "an empty policy section grants nothing more" "$MCP_POLICY" --config null.yaml v.json
jq_check '.policy_sources == []' "... and is no policy source"
printf 'policy:\n  bogus: 1\n' | policy "$USER_CONFIG"
expect_ok "--check reads the named file alone, not the user file" "$MCP_POLICY" --check good.yaml
rm -f "$USER_CONFIG"
expect_fail 2 '^mcp-policy: nothere\.yaml: No such file or directory$' "--check of a missing file" \
	"$MCP_POLICY" --check nothere.yaml
expect_fail 2 '^mcp-policy: --check takes one file and no other input$' "--check with an input document" \
	"$MCP_POLICY" --check good.yaml v.json
expect_fail 2 '^mcp-policy: --check takes one file and no other input$' "--check with --explain" \
	"$MCP_POLICY" --check good.yaml --explain
expect_fail 2 '^mcp-policy: option --check given twice$' "--check twice" \
	"$MCP_POLICY" --check good.yaml --check good.yaml
expect_fail 2 '^mcp-policy: option --explain given twice$' "--explain twice" \
	"$MCP_POLICY" --explain --explain v.json
expect_fail 2 '^mcp-policy: one input document at most \(got 2\)$' "two input documents" \
	"$MCP_POLICY" v.json v.json
expect_fail 2 '^mcp-policy: --quiet and --verbose conflict$' "--quiet with --verbose" \
	"$MCP_POLICY" -q -v v.json
set -- v.json
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do set -- --config empty.yaml "$@"; done
expect_fail 2 '^mcp-policy: too many --config files \(at most 16\)$' "at most 16 --config files" \
	"$MCP_POLICY" "$@"
set --
expect_fail 2 '^mcp-policy: unrecognized option or missing argument: --config$' "--config without a file" \
	"$MCP_POLICY" --config

# Malformed input documents: exit 2, nothing on stdout.
printf 'not json' >nj.json
expect_fail 2 '^mcp-policy: nj\.json:1:[0-9]+: ' "an input that is not JSON" "$MCP_POLICY" nj.json
jq -nc '{kind: "mcp.fetch/v1"}' >k.json
expect_fail 2 '^mcp-policy: k\.json: expected mcp\.verified/v1 document, got mcp\.fetch/v1$' \
	"a document of another stage" "$MCP_POLICY" k.json
jq -nc '{kind: "mcp.verified/v2"}' >k2.json
expect_fail 2 '^mcp-policy: k2\.json: unsupported document version mcp\.verified/v2' \
	"a document of another version" "$MCP_POLICY" k2.json
doc m.json 'del(.tree)'
expect_fail 2 '^mcp-policy: m\.json: missing "tree"$' "a document without tree" "$MCP_POLICY" m.json
doc m.json '.tree = "relative/tree"'
expect_fail 2 '^mcp-policy: m\.json: tree: must be a normalised absolute path$' "a relative tree" "$MCP_POLICY" m.json
doc m.json '.bundle.digest = "sha256:ABC"'
expect_fail 2 '^mcp-policy: m\.json: bundle\.digest: not sha256:<64 hex>$' "a malformed digest" "$MCP_POLICY" m.json
doc m.json '.package = "../x"'
expect_fail 2 '^mcp-policy: m\.json: package: not ORG/NAME$' "a malformed package" "$MCP_POLICY" m.json
doc m.json '.certification_level = 7'
expect_fail 2 '^mcp-policy: m\.json: certification_level: must be an integer from 0 to 3 or null$' \
	"a certification level out of range" "$MCP_POLICY" m.json
doc m.json '.server.entrypoint.argv = []'
expect_fail 2 '^mcp-policy: m\.json: server\.entrypoint\.argv: must be a non-empty array of strings$' \
	"an empty argv" "$MCP_POLICY" m.json
doc m.json '.server.entrypoint.argv = ["python3"]'
expect_fail 2 '^mcp-policy: m\.json: server\.entrypoint\.argv\[0\]: must be an absolute path$' \
	"a relative argv[0]" "$MCP_POLICY" m.json
doc m.json '.server.entrypoint.workdir = "../.."'
expect_fail 2 '^mcp-policy: m\.json: server\.entrypoint\.workdir: leaves the bundle tree$' \
	"a workdir out of the tree" "$MCP_POLICY" m.json
doc m.json '.server.permissions.subprocess = "yes"'
expect_fail 2 '^mcp-policy: m\.json: server\.permissions\.subprocess: must be a boolean$' \
	"a subprocess request that is not a boolean" "$MCP_POLICY" m.json
doc m.json '.server.transport = {type: "carrier-pigeon"}'
expect_fail 2 '^mcp-policy: m\.json: server\.transport\.type: must be stdio or http$' \
	"an unknown transport" "$MCP_POLICY" m.json
expect_fail 2 '^mcp-policy: absent\.json: No such file or directory$' "a missing input file" \
	"$MCP_POLICY" absent.json

done_testing
