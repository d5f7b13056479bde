#!/bin/sh
# t9001: every example package through the whole pipeline, stage by stage:
# mcp-fetch | mcp-verify | mcp-policy, then mcp-exec driven by a strict MCP
# client (initialize, tools/list, tools/call echo), with the exec records
# checked and the whole run appended to an audit log that verifies.  First,
# the example registry the build generated is checked for consistency:
# every digest in it is the digest of the bytes it names.
. "$top_srcdir/tests/e2e/lib.sh"

client=$top_srcdir/examples/mcp-client.py
py=${PYTHON3:-no}
node=${NODE:-no}
log=$T/audit.log


# jq_ok DESC FILE JQ-ARGS...: jq -e JQ-ARGS holds on FILE (lib.sh's
# jq_check takes no jq options).
jq_ok() {
	_jd=$1 _jf=$2
	shift 2
	if jq_true "$_jf" "$@"; then
		ok "$_jd"
	else
		not_ok "$_jd (jq $*)"
		show_output
	fi
}

# --- the generated registry -------------------------------------------------

for pkg in echo-c echo-python echo-node; do
	idx=$REGISTRY/packages/examples/$pkg.json
	jq_ok "registry: $pkg index names its package" "$idx" \
		--arg p "examples/$pkg" '.package == $p and (.versions | length) >= 1'
	bad=
	for d in $(jq -r '.versions[] | .manifest_digest, .bundle_digest' "$idx"); do
		hex=${d#sha256:}
		blob=$REGISTRY/blobs/sha256/$hex
		if [ ! -f "$blob" ]; then
			bad="$bad missing:$hex"
		elif [ "$(sha256sum <"$blob" | cut -d' ' -f1)" != "$hex" ]; then
			bad="$bad mismatch:$hex"
		fi
	done
	check "registry: $pkg blobs exist and match their names${bad:+ ($bad)}" test -z "$bad"
	bad=
	for v in $(jq -r '.versions | keys[]' "$idx"); do
		m=$REGISTRY/blobs/sha256/$(jq -r --arg v "$v" '.versions[$v].manifest_digest | ltrimstr("sha256:")' "$idx")
		b=$(jq -r --arg v "$v" '.versions[$v].bundle_digest' "$idx")
		s=$(jq -r --arg v "$v" '.versions[$v].bundle_size' "$idx")
		[ "$(wc -c <"$REGISTRY/blobs/sha256/${b#sha256:}")" -eq "$s" ] || bad="$bad size:$v"
		jq -e --arg v "$v" --arg id "examples/$pkg" \
			'.package.id == $id and .package.version == $v' "$m" >/dev/null 2>&1 ||
			bad="$bad manifest:$v"
		if [ "$pkg" != echo-node ]; then
			jq -e --arg b "$b" --argjson s "$s" \
				'.bundle.digest == $b and .bundle.size_bytes == $s' "$m" >/dev/null 2>&1 ||
				bad="$bad bundle:$v"
		fi
	done
	check "registry: $pkg manifests agree with the index${bad:+ ($bad)}" test -z "$bad"
done
jq_ok "registry: echo-python has two releases and a pre-release" \
	"$REGISTRY/packages/examples/echo-python.json" \
	'.versions | keys == ["1.0.0", "1.1.0", "1.2.0-rc.1"]'
check "registry: each echo-python version has its own bundle" \
	test "$(jq -r '.versions[].bundle_digest' "$REGISTRY/packages/examples/echo-python.json" | sort -u | wc -l)" -eq 3

# --- the pipeline, per package ---------------------------------------------

if [ "$py" = no ]; then
	skip "python3 not found: mcp-client.py cannot run"
	done_testing
	exit
fi

# pipeline REF NAME VERSION FORMAT: fetch, verify, policy, exec REF.
runs=0
pipeline() {
	_ref=$1 _name=$2 _ver=$3 _fmt=$4
	runs=$((runs + 1))
	_dir=$T/run$runs
	mkdir -p "$_dir"

	run "$MCP_FETCH" --registry "$REGISTRY" "$_ref"
	if [ "$rc" -ne 0 ]; then
		not_ok "$_ref: mcp-fetch (exit $rc)"
		show_output
		return
	fi
	out_kind mcp.fetch/v1 "$_ref: mcp-fetch writes one fetch document"
	jq_ok "$_ref: resolved to examples/$_name $_ver" "$T/out" \
		--arg p "examples/$_name" --arg v "$_ver" \
		'.package == $p and .version == $v and .status == "published"'
	cp "$T/out" "$_dir/fetch.json"

	run "$MCP_VERIFY" "$_dir/fetch.json"
	if [ "$rc" -ne 0 ]; then
		not_ok "$_ref: mcp-verify (exit $rc)"
		show_output
		return
	fi
	out_kind mcp.verified/v1 "$_ref: mcp-verify writes one verified document"
	jq_ok "$_ref: the manifest is in the $_fmt format" "$T/out" \
		--arg f "$_fmt" '.manifest.format == $f'
	jq_check '.server.transport.type == "stdio" and
		(.server.entrypoint.argv[0] | startswith("/")) and
		(.server.entrypoint.argv | index("--server-version") != null)' \
		"$_ref: an absolute argv with the manifest's arguments"
	cp "$T/out" "$_dir/verified.json"

	run "$MCP_POLICY" "$_dir/verified.json"
	if [ "$rc" -ne 0 ]; then
		not_ok "$_ref: mcp-policy (exit $rc)"
		show_output
		return
	fi
	out_kind mcp.spec/v1 "$_ref: mcp-policy writes one spec"
	jq_check '.network.mode == "none" and .subprocess == false and
		.limits.memory_bytes == 268435456' \
		"$_ref: no network, no subprocess, the manifest's 256M memory"
	cp "$T/out" "$_dir/spec.json"

	run "$py" "$client" --timeout 60 --expect-name "$_name" \
		--expect-version "$_ver" -- \
		"$MCP_EXEC" --records "$_dir/records.jsonl" "$_dir/spec.json"
	if [ "$rc" -eq 0 ]; then
		ok "$_ref: an MCP session under mcp-exec (initialize, tools/list, tools/call)"
	else
		not_ok "$_ref: an MCP session under mcp-exec (exit $rc)"
		show_output
	fi
	check "$_ref: three replies on stdout, one JSON line each" \
		test "$(jq -c . "$T/out" 2>/dev/null | wc -l)" -eq 3
	jq_ok "$_ref: tools/call echo answered with a text item" "$T/out" \
		-s '.[2].result.content[0].type == "text" and .[2].result.isError == false'
	jq_ok "$_ref: one start record" "$_dir/records.jsonl" \
		-s '[.[] | select(.event == "start")] | length == 1'
	jq_ok "$_ref: one end record: success, exit 0" "$_dir/records.jsonl" \
		-s '[.[] | select(.event == "end")] | length == 1 and
		.[0].outcome == "success" and .[0].exit_code == 0'
	jq_ok "$_ref: the records carry the package identity" "$_dir/records.jsonl" \
		-s --arg p "examples/$_name" --arg v "$_ver" \
		'all(.[]; .kind == "mcp.exec/v1" and .package == $p and .version == $v)'

	cat "$_dir/fetch.json" "$_dir/verified.json" "$_dir/spec.json" \
		"$_dir/records.jsonl" >"$_dir/all.jsonl"
	expect_ok "$_ref: the run's documents and records go to the audit log" \
		"$MCP_AUDIT" append --log "$log" "$_dir/all.jsonl"
}

pipeline examples/echo-c@1.0.0 echo-c 1.0.0 client
pipeline examples/echo-python@latest echo-python 1.1.0 client
pipeline examples/echo-python@1.0.0 echo-python 1.0.0 client
pipeline examples/echo-python@1.2.0-rc.1 echo-python 1.2.0-rc.1 client
if [ "$node" = no ]; then
	skip "node not found: examples/echo-node not run"
else
	pipeline examples/echo-node@1.0.0 echo-node 1.0.0 hub
fi

# An immutable reference: the manifest digest of echo-python 1.0.0.
d=$(jq -r '.versions["1.0.0"].manifest_digest' "$REGISTRY/packages/examples/echo-python.json")
pipeline "examples/echo-python@$d" echo-python 1.0.0 client

expect_ok "the audit log of every run verifies" "$MCP_AUDIT" verify --log "$log"
check "the audit log holds a start and an end record per run" \
	test "$(jq -c 'select(.record.kind == "mcp.exec/v1")' "$log" 2>/dev/null | wc -l)" -eq \
	"$(jq -c 'select(.record.kind == "mcp.spec/v1")' "$log" 2>/dev/null | wc -l | awk '{print $1 * 2}')"

done_testing
