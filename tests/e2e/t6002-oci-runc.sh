#!/bin/sh
# t6002: bundles from mcp-policy --oci run under runc: the example servers
# (C, Python, Node) answer an MCP session; a probe sees only the bundle's
# root, as nobody, without capabilities, under the seccomp filter, in its
# own pid and network namespaces; the escapes of t4011 stay blocked; a
# memory hog and a fork bomb are stopped by the bundle's limits (inside an
# outer safety net); runc refuses a broken config.json.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"
. "$top_srcdir/tests/e2e/oci-lib.sh"

if runtime_preamble runc; then
	runtime_suite
fi
done_testing
