#!/bin/sh
# t4012: the example servers (C, Python, Node) fully isolated: the spec
# mcp-policy writes for each runs an MCP session under mcp-exec with the
# namespaces, the private root and the system call filter applied, as the
# start and end records say.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

client=$top_srcdir/examples/mcp-client.py
py=${PYTHON3:-no}
node=${NODE:-no}

if [ "$py" = no ]; then
	skip "python3 not found: mcp-client.py cannot run"
	done_testing
	exit
fi
if ! exec_cmd "$MCP_EXEC" --probe --json 2>/dev/null |
	jq -e '(.namespaces.mount | startswith("yes")) and .seccomp == "yes"' >/dev/null; then
	skip_strict "mount namespaces or seccomp not available here"
	done_testing
	exit
fi

example() {
	_ref=$1 _name=$2
	_dir=$T/$_name
	mkdir -p "$_dir"
	if ! "$MCP_FETCH" --registry "$REGISTRY" "$_ref" >"$_dir/fetch.json" 2>"$_dir/err" ||
		! "$MCP_VERIFY" "$_dir/fetch.json" >"$_dir/verified.json" 2>>"$_dir/err" ||
		! "$MCP_POLICY" "$_dir/verified.json" >"$_dir/spec.json" 2>>"$_dir/err"; then
		not_ok "$_name: fetch, verify, policy"
		sed 's/^/#   /' "$_dir/err"
		return
	fi
	ok "$_name: fetch, verify, policy"
	jq -e '.network.mode == "none" and .subprocess == false and
		(.tree | startswith("/"))' "$_dir/spec.json" >/dev/null &&
		ok "$_name: the spec: no network, no subprocess, a tree" ||
		not_ok "$_name: the spec: no network, no subprocess, a tree"
	run exec_cmd "$py" "$client" --timeout 60 --expect-name "$_name" -- \
		"$MCP_EXEC" --records "$_dir/rec" "$_dir/spec.json"
	check "$_name: an MCP session, fully isolated" test "$rc" -eq 0
	check "$_name: three replies" \
		test "$(jq -c . "$T/out" 2>/dev/null | wc -l)" -eq 3
	cp "$_dir/rec" "$T/rec"
	rec_check '.[0].layers.namespaces == "applied" and
		.[0].layers.seccomp == "applied" and
		.[0].layers.no_new_privs == "applied" and
		.[0].layers.capabilities == "applied" and
		.[0].layers.identity == "applied"' \
		"$_name: start record: namespaces, seccomp and the rest applied"
	rec_check '.[1].outcome == "success" and .[1].layers == .[0].layers' \
		"$_name: end record: success, the same layers"
}

example examples/echo-c@1.0.0 echo-c
example examples/echo-python@1.0.0 echo-python
if [ "$node" = no ]; then
	skip "node not found: examples/echo-node not run"
else
	example examples/echo-node@1.0.0 echo-node
fi
done_testing
