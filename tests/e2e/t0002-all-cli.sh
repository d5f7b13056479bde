#!/bin/sh
# t0002: the command-line surface every tool shares: --help and --version
# on stdout with exit 0 before any other work, unknown and repeated options
# refused by name with exit 2, and a failed write to stdout is a failure.
. "$top_srcdir/tests/e2e/lib.sh"

for tool in fetch verify policy exec audit run pack; do
	eval "bin=\$MCP_$(echo "$tool" | tr a-z A-Z)"

	run "$bin" --version
	check "mcp-$tool --version" \
		sh -c "[ $rc -eq 0 ] && grep -qx 'mcp-$tool (mcp-tools) [0-9][0-9.]*' '$T/out' && [ ! -s '$T/err' ]"

	run "$bin" --help
	check "mcp-$tool --help" \
		sh -c "[ $rc -eq 0 ] && grep -q '^Usage: mcp-$tool' '$T/out' && [ ! -s '$T/err' ]"

	expect_fail 2 "^mcp-$tool: .*(unrecognized|unknown|invalid) option.*no-such-option" \
		"mcp-$tool refuses an unknown option" "$bin" --no-such-option

	# Writing to a full device must not look like success (jq's rule).
	run sh -c "'$bin' --help >/dev/full"
	check "mcp-$tool --help to a full device fails" test "$rc" -ne 0
done

done_testing
