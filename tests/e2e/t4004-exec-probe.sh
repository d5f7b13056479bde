#!/bin/sh
# mcp-exec --probe: what this kernel and user allow, as text and JSON.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

expect_ok "--probe runs" exec_cmd "$MCP_EXEC" --probe
for key in kernel uid cgroup.per_run namespaces.user namespaces.mount \
	namespaces.pid namespaces.net namespaces.ipc namespaces.uts \
	namespaces.cgroup landlock seccomp no_new_privs \
	capability_bounding_set; do
	check "--probe: $key" grep -Eq "^$key: " "$T/out"
done
check "--probe: no_new_privs works" grep -qx 'no_new_privs: yes' "$T/out"

expect_ok "--probe --json runs" exec_cmd "$MCP_EXEC" --probe --json
out_kind mcp.probe/v1 "--probe --json: one mcp.probe/v1 document"
jq_check '.uid == '"$(id -u)" "--probe --json: uid"
jq_check '.namespaces | keys == ["cgroup", "ipc", "mount", "net", "pid",
	"user", "uts"] and all(.[]; test("^(yes|no: )"))' \
	"--probe --json: every namespace answered"
jq_check '(.landlock_abi == null) or (.landlock_abi >= 1)' \
	"--probe --json: landlock ABI number or null"
jq_check '.seccomp | test("^(yes|no: )")' "--probe --json: seccomp answered"
jq_check '.cgroup.per_run | test("^(applied|degraded: |skipped: )")' \
	"--probe --json: per-run cgroup tried"
if [ -d /sys/fs/cgroup/memory ]; then
	jq_check '.cgroup.v1.memory == "/sys/fs/cgroup/memory"' \
		"--probe --json: cgroup v1 memory hierarchy found"
fi
if grep -q ' - cgroup2 ' /proc/self/mountinfo; then
	jq_check '.cgroup.v2.mount | startswith("/sys/fs/cgroup")' \
		"--probe --json: cgroup v2 mount found"
else
	skip "no cgroup v2 mount here"
fi
# The probe's trial cgroup (named after its pid) is removed.
"$MCP_EXEC" --probe >/dev/null 2>&1 </dev/null &
ppid=$!
wait "$ppid"
check "--probe: its trial cgroup is gone" \
	sh -c "! find /sys/fs/cgroup -maxdepth 5 -name mcp-exec.$ppid 2>/dev/null | grep -q ."
done_testing
