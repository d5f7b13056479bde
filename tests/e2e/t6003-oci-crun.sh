#!/bin/sh
# t6003: the same bundles and checks as t6002, under crun, where crun runs.
# Debian's crun 1.8.1 refuses a hybrid cgroup layout (v1 controllers and a
# v2 mount) with "cgroups in hybrid mode not supported": there the test is
# skipped with that reason (a property of the machine, not of the bundle).
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"
. "$top_srcdir/tests/e2e/oci-lib.sh"

if runtime_preamble crun; then
	if verified examples/echo-c@1.0.0 "$T/pre.json" && bundle "$T/pre" "$T/pre.json"; then
		rt_run "$T/pre" "$PYTHON3" "$top_srcdir/examples/mcp-client.py" \
			--timeout 60 --expect-name echo-c --
		if grep -q 'cgroups in hybrid mode not supported' "$T/err"; then
			skip "crun: $(grep -o 'cgroups in hybrid mode not supported' "$T/err" | head -1) (this machine's cgroup layout)"
		else
			runtime_suite
		fi
	else
		not_ok "a bundle from the pipeline"
		show_output
	fi
fi
done_testing
