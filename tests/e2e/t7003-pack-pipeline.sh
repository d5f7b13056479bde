#!/bin/sh
# t7003: what mcp-pack adds to a directory registry goes through the
# whole pipeline: mcp-fetch | mcp-verify | mcp-policy, then an MCP
# session under mcp-exec.  Three kinds of server: a Python script, an
# npm-style node_modules tree (as `npm install --omit=dev` leaves it,
# with a .bin symlink), and a native binary.  Versions accumulate in one
# index; @latest, status and origin follow the options.
. "$top_srcdir/tests/e2e/lib.sh"

client=$top_srcdir/examples/mcp-client.py
servers=$top_srcdir/examples/servers
py=${PYTHON3:-no}
node=${NODE:-no}
reg=$T/registry
P=$MCP_PACK

# session REF NAME VERSION: fetch, verify, policy, then an MCP session.
runs=0
session() {
	_ref=$1 _name=$2 _ver=$3
	runs=$((runs + 1))
	_d=$T/run$runs
	mkdir -p "$_d"
	run sh -c "'$MCP_FETCH' --registry '$reg' '$_ref' | tee '$_d/fetch.json' |
		'$MCP_VERIFY' | tee '$_d/verified.json' | '$MCP_POLICY' >'$_d/spec.json'"
	if [ "$rc" -ne 0 ]; then
		not_ok "$_ref: mcp-fetch | mcp-verify | mcp-policy (exit $rc)"
		show_output
		return
	fi
	ok "$_ref: mcp-fetch | mcp-verify | mcp-policy"
	if jq -e --arg p "${_ref%@*}" --arg v "$_ver" \
		'.kind == "mcp.spec/v1" and .package == $p and .version == $v' \
		"$_d/spec.json" >/dev/null 2>&1; then
		ok "$_ref: a spec for ${_ref%@*} $_ver"
	else
		not_ok "$_ref: a spec for ${_ref%@*} $_ver"
		sed 's/^/# /' "$_d/spec.json"
	fi
	if [ "$py" = no ]; then
		skip "python3 not found: no MCP session"
		return
	fi
	run "$py" "$client" --timeout 60 --expect-name "$_name" \
		--expect-version "$_ver" -- \
		"$MCP_EXEC" --records "$_d/records.jsonl" "$_d/spec.json"
	if [ "$rc" -eq 0 ]; then
		ok "$_ref: an MCP session under mcp-exec"
	else
		not_ok "$_ref: an MCP session under mcp-exec (exit $rc)"
		show_output
	fi
}

# --- a Python server, two versions and a pre-release -------------------

mkdir -p "$T/py"
cp "$servers/echo-python/server.py" "$T/py/server.py"
for v in 1.0.0 1.1.0 2.0.0-rc.1; do
	run "$P" --registry "$reg" --command python3 --arg server.py \
		--arg --server-version --arg "$v" \
		--description "Echo in Python" --license MIT \
		--git-sha 0123456789abcdef0123456789abcdef01234567 \
		--max-memory 256M --max-pids 16 --max-cpu 500 --timeout 1h \
		--origin official acme/echo-python@$v "$T/py"
	if [ "$rc" -eq 0 ]; then ok "pack acme/echo-python@$v"; else not_ok "pack acme/echo-python@$v (exit $rc)"; show_output; fi
done
out_kind mcp.pack/v1 "mcp-pack writes one mcp.pack/v1 document"
jq_check '.package == "acme/echo-python" and .version == "2.0.0-rc.1" and
	.status == "published" and .certification_level == 0 and
	.origin == "official" and .action == "added" and
	(.bundle.digest | test("^sha256:[0-9a-f]{64}$")) and
	(.manifest.path | startswith("/")) and .tree.entries == 1' \
	"the pack document: identity, registry, digests, paths"
cp "$T/out" "$T/pack.json"
check "the bundle blob is named by its digest" \
	test "sha256:$(sha256sum <"$(jq -r .bundle.path "$T/pack.json")" | cut -d' ' -f1)" = \
	"$(jq -r .bundle.digest "$T/pack.json")"
jq_check '(.versions | keys) == ["1.0.0", "1.1.0", "2.0.0-rc.1"] and
	.origin == "official" and .package == "acme/echo-python" and
	(.versions["1.1.0"].git_sha | length) == 40' \
	"the index holds the three versions" "$reg/packages/acme/echo-python.json"
m=$reg/blobs/sha256/$(jq -r '.versions["1.1.0"].manifest_digest | ltrimstr("sha256:")' "$reg/packages/acme/echo-python.json")
jq_check '.schema_version == "1" and .package.id == "acme/echo-python" and
	.package.license == "MIT" and .transport.type == "stdio" and
	([.entrypoints[].arch] == ["amd64", "arm64"]) and
	.entrypoints[0].command == "python3" and
	.limits_recommended.max_memory == "256M" and
	.permissions_requested.subprocess == false' \
	"the manifest: client format, both architectures for an interpreter" "$m"

run "$MCP_FETCH" --registry "$reg" acme/echo-python@latest
jq_check '.version == "1.1.0" and .origin == "official"' \
	"@latest is the highest release, not the pre-release"
session acme/echo-python@1.1.0 echo-python 1.1.0
session acme/echo-python@2.0.0-rc.1 echo-python 2.0.0-rc.1
# Both versions were packed from the same tree: one bundle, two
# manifests.  The manifest's digest names one version; the bundle's is
# ambiguous, and mcp-fetch says so rather than pick one.
d=$(jq -r .manifest.digest "$T/pack.json")
run "$MCP_FETCH" --registry "$reg" "acme/echo-python@$d"
jq_check '.version == "2.0.0-rc.1"' "a manifest digest reference finds the packed version"
d=$(jq -r .bundle.digest "$T/pack.json")
expect_fail 5 'ambiguous: more than one version of packages/acme/echo-python.json matches' \
	"a bundle digest shared by two versions is refused as ambiguous" \
	"$MCP_FETCH" --registry "$reg" "acme/echo-python@$d"

expect_ok "--status deprecated on an unchanged version" \
	"$P" --registry "$reg" --status deprecated --command python3 --arg server.py \
	--arg --server-version --arg 1.0.0 --description "Echo in Python" --license MIT \
	--git-sha 0123456789abcdef0123456789abcdef01234567 \
	--max-memory 256M --max-pids 16 --max-cpu 500 --timeout 1h \
	acme/echo-python@1.0.0 "$T/py"
jq_check '.action == "unchanged" and .status == "deprecated" and .origin == "official"' \
	"the status changes, the digests and the kept origin do not"
run "$MCP_FETCH" --registry "$reg" acme/echo-python@1.0.0
jq_check '.status == "deprecated"' "mcp-fetch sees the new status"
expect_ok "the pack document goes to the audit log" \
	"$MCP_AUDIT" append --log "$T/audit.log" "$T/pack.json"

# --- concurrent packs into one index ---------------------------------------

pids=
for v in 3.0.0 3.0.1 3.0.2 3.0.3 3.0.4 3.0.5; do
	"$P" --registry "$T/creg" --command python3 --arg server.py \
		--arg --server-version --arg "$v" acme/echo-python@$v "$T/py" \
		>"$T/c-$v.out" 2>"$T/c-$v.err" &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "six concurrent packs of one package succeed ($fails failed)" test "$fails" -eq 0
jq_check '(.versions | keys) == ["3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4", "3.0.5"]' \
	"the index lock lost none of them" "$T/creg/packages/acme/echo-python.json"
check "no temporary file is left" test -z "$(find "$T/creg" -name '.mcp-pack.*')"

# --- an npm tree -----------------------------------------------------------

pkgdir=node_modules/@modelcontextprotocol/server-echo
mkdir -p "$T/npm/$pkgdir/dist" "$T/npm/node_modules/.bin"
cp "$servers/echo-node/server.js" "$T/npm/$pkgdir/dist/index.js"
chmod 0755 "$T/npm/$pkgdir/dist/index.js"
printf '{"name": "@modelcontextprotocol/server-echo", "version": "0.6.2", "bin": {"mcp-server-echo": "dist/index.js"}}\n' \
	>"$T/npm/$pkgdir/package.json"
ln -s ../@modelcontextprotocol/server-echo/dist/index.js \
	"$T/npm/node_modules/.bin/mcp-server-echo"
printf '{"name": "x", "lockfileVersion": 3}\n' >"$T/npm/package-lock.json"
expect_ok "pack an npm tree, entrypoint through node" \
	"$P" --registry "$reg" --command node \
	--arg "$pkgdir/dist/index.js" --arg --server-version --arg 0.6.2 \
	acme/server-echo@0.6.2 "$T/npm"
jq_check '.tree.entries == 9' "every entry of the npm tree is in the bundle"
expect_ok "pack it again through the .bin symlink" \
	"$P" --bundle "$T/b.tgz" --manifest "$T/m.json" --command node \
	--arg node_modules/.bin/mcp-server-echo acme/server-echo@0.6.2 "$T/npm"
if [ "$node" = no ]; then
	skip "node not found: no session with the npm tree"
else
	session acme/server-echo@0.6.2 echo-node 0.6.2
fi

# --- a native binary -----------------------------------------------------

echo_c=$MCP_EXAMPLES/servers/echo-c/echo-c
if [ -x "$echo_c" ]; then
	mkdir -p "$T/c/bin"
	cp "$echo_c" "$T/c/bin/echo-c"
	expect_ok "pack a native binary" \
		"$P" --registry "$reg" --command bin/echo-c \
		--arg --server-version --arg 3.0.0 acme/echo-c@3.0.0 "$T/c"
	m=$(jq -r .manifest.path "$T/out")
	jq_check '(.entrypoints | length) == 1 and .entrypoints[0].command == "bin/echo-c"' \
		"a binary gets one entrypoint, this machine's architecture" "$m"
	session acme/echo-c@3.0.0 echo-c 3.0.0
else
	skip "examples/servers/echo-c/echo-c not built"
fi

done_testing
