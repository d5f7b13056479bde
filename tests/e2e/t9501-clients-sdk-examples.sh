#!/bin/sh
# t9501: the official MCP TypeScript SDK's stdio client starts mcp-run as
# a client configuration would (a command, its arguments, the SDK's
# minimal inherited environment) for each example server: initialize,
# tools/list and tools/call work through the whole pipeline under full
# isolation, the client's close() ends the run cleanly, and the audit
# log holds every document and both records of each run, and verifies.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/sdk-lib.sh"
need_sdk

log=$T/audit.log
n=0
for ref in examples/echo-c@1.0.0 examples/echo-python@1.1.0 \
           examples/echo-node@1.0.0; do
	name=${ref%@*}
	name=${name#examples/}
	sdk_client "$T/$name.json" echo "hello from $name" -- "$MCP_RUN" \
		--registry "$REGISTRY" --cache-dir "$T/cache" --audit-log "$log" \
		"$ref"
	n=$((n + 1))
	check "$name: the SDK client's session worked (exit 0)" test "$rc" -eq 0
	sdk_check "$name: initialize named the server" "$T/$name.json" \
		'.server.name | type == "string" and length > 0'
	sdk_check "$name: tools/list has echo" "$T/$name.json" \
		'.tools | index("echo") != null'
	sdk_check "$name: tools/call echo answered" "$T/$name.json" \
		".calls.echo.ok and (.calls.echo.text | contains(\"hello from $name\"))"
	sdk_check "$name: nothing but JSON-RPC reached the client" "$T/$name.json" \
		'.errors == []'
	check "$name: the end record reached the log" wait_end "$log" "$n"
done

audit_check "every run ended in success" "$log" \
	'[.[] | .record | select(.event == "end") | .outcome] == ["success", "success", "success"]'
audit_check "every layer was applied in every run" "$log" \
	'[.[] | .record | select(.event == "start") | .layers | to_entries[] | .value] | all(. == "applied")'
audit_check "each run's fetch, verified, spec, start and end are logged" "$log" \
	'[.[] | .record | .kind] | (map(select(. == "mcp.fetch/v1")) | length) == 3 and
	 (map(select(. == "mcp.verified/v1")) | length) == 3 and
	 (map(select(. == "mcp.spec/v1")) | length) == 3'
expect_ok "the audit log verifies" "$MCP_AUDIT" verify --log "$log"
done_testing
