#!/bin/sh
# mcp-exec: a run's environment, limits, stdio, exit status and records.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

# Environment: the spec's, pass_env, secrets; nothing of the caller's.
mkspec env.json '["/usr/bin/env"]' '
  .process.env.SPEC_VAR = "from spec" |
  .process.pass_env = ["PASSED_VAR", "UNSET_VAR"] |
  .process.secrets = [{"name": "API_KEY", "as": "env"}]'
AWS_SECRET_ACCESS_KEY=leak1 GITHUB_TOKEN=leak2 PASSED_VAR=passed \
API_KEY=s3cr3t-value MCP_REGISTRY_TOKEN=leak3 \
	expect_ok "env: runs" exec_cmd "$MCP_EXEC" -q --records rec env.json
check "env: spec variable set" grep -qx 'SPEC_VAR=from spec' "$T/out"
check "env: PATH from the spec" grep -qx 'PATH=/usr/bin:/bin' "$T/out"
check "env: pass_env copied" grep -qx 'PASSED_VAR=passed' "$T/out"
check "env: secret delivered" grep -qx 'API_KEY=s3cr3t-value' "$T/out"
check "env: caller's secrets absent" \
	sh -c '! grep -Eq "leak|AWS_|GITHUB_|MCP_REGISTRY|^HOME=|^USER=" "$T/out"'
check "env: exactly five variables" test "$(wc -l <"$T/out")" -eq 5
check "env: secret value not in the records" \
	sh -c '! grep -q s3cr3t "$T/rec"'
expect_fail 125 'secret API_KEY: not set in the environment of mcp-exec' \
	"env: missing secret refused" exec_cmd "$MCP_EXEC" -q env.json

# rlimits, cwd and umask, seen from inside.
mkdir -p "$T/work"
chmod 755 "$T/work"
mkspec lim.json '["/bin/sh", "-c", "cat /proc/self/limits; pwd; umask"]' '
  .process.cwd = "'"$T"'/work" | .process.umask = "027" |
  .limits.fds = 77 | .limits.timeout_ms = 20000 |
  .limits.memory_bytes = 134217728'
expect_ok "limits: runs" exec_cmd "$MCP_EXEC" -q lim.json
check "limits: RLIMIT_NOFILE = fds" \
	grep -Eq '^Max open files +77 +77 ' "$T/out"
check "limits: RLIMIT_CORE = 0" grep -Eq '^Max core file size +0 +0 ' "$T/out"
check "limits: RLIMIT_CPU = timeout x CPUs" \
	grep -Eq '^Max cpu time +20 +25 ' "$T/out"
check "limits: RLIMIT_DATA = 2 x memory" \
	grep -Eq '^Max data size +268435456 +268435456 ' "$T/out"
check "limits: RLIMIT_FSIZE = 1 GiB" \
	grep -Eq '^Max file size +1073741824 +1073741824 ' "$T/out"
check "limits: RLIMIT_AS unlimited" \
	grep -Eq '^Max address space +unlimited +unlimited ' "$T/out"
check "cwd from the spec" grep -qx "$T/work" "$T/out"
check "umask from the spec" grep -qx '0027' "$T/out"

# Exit status passthrough, and 128+N for a signal.
for code in 0 3 42; do
	mkspec exit.json "[\"/bin/sh\", \"-c\", \"exit $code\"]"
	run exec_cmd "$MCP_EXEC" -q exit.json
	check "exit status $code passes through" test "$rc" -eq "$code"
done
mkspec sig.json '["/bin/sh", "-c", "kill -USR1 $$"]'
rm -f rec
run exec_cmd "$MCP_EXEC" -q --records rec sig.json
check "killed by SIGUSR1: exit 138" test "$rc" -eq 138
rec_check '.[1].outcome == "signal" and .[1].signal == 10 and
	.[1].exit_code == 138 and .[1].wait_status == 10' \
	"signal: end record says signal 10"

# stdin and stdout are the server's, unbuffered by mcp-exec.
printf 'line one\nline two\n' >in.txt
mkspec cat.json '["/bin/cat"]'
RUN_STDIN=in.txt run exec_cmd "$MCP_EXEC" -q cat.json
check "stdin reaches the server and its stdout reaches us" \
	cmp -s in.txt "$T/out"
mkspec err.json '["/bin/sh", "-c", "echo to-stderr >&2"]'
run exec_cmd "$MCP_EXEC" -q err.json
check "stderr is the server's" grep -qx to-stderr "$T/err"

# A stray descriptor of the caller does not reach the server.
mkspec fds.json '["/bin/sh", "-c", "ls /proc/self/fd"]'
run exec_cmd "$MCP_EXEC" -q fds.json 7<in.txt 9>/dev/null
check "only 0, 1, 2 (and ls's own) are open" \
	sh -c '! grep -Eqx "7|9" "$T/out"'

# 127 and 126, with one error line, and records saying setup_failed.
mkspec nf.json '["/nonexistent/server"]'
rm -f rec
expect_fail 127 '^mcp-exec: /nonexistent/server: No such file or directory$' \
	"missing entrypoint: 127" exec_cmd "$MCP_EXEC" -q --records rec nf.json
rec_check 'length == 2 and .[1].outcome == "setup_failed" and
	.[1].exit_code == 127 and (.[1].error | test("No such file"))' \
	"missing entrypoint: end record setup_failed"
printf 'not executable\n' >noexec.sh
chmod 644 noexec.sh
mkspec ne.json "[\"$T/noexec.sh\"]"
expect_fail 126 'noexec.sh: Permission denied$' "not executable: 126" \
	exec_cmd "$MCP_EXEC" -q ne.json
mkspec cwd.json '["/bin/true"]' '.process.cwd = "/nonexistent"'
expect_fail 125 'cwd /nonexistent: No such file or directory' \
	"missing cwd: 125" exec_cmd "$MCP_EXEC" -q cwd.json

# Records: content and shape.
mkspec ok.json '["/bin/sh", "-c", "exit 0"]'
rm -f rec
expect_ok "records: run" exec_cmd "$MCP_EXEC" -q --records rec ok.json
check "records: two lines" test "$(wc -l <rec)" -eq 2
check "records: mode 0600" test "$(stat -c %a rec)" = 600
rec_check 'map(.kind) == ["mcp.exec/v1", "mcp.exec/v1"] and
	map(.event) == ["start", "end"]' "records: start then end"
rec_check 'all(.[]; .ref == "test/server@1.0.0" and
	.package == "test/server" and .version == "1.0.0" and
	(.manifest_digest | startswith("sha256:")) and
	(.bundle_digest | startswith("sha256:")))' "records: identity members"
rec_check '.[0].pid == .[1].pid and (.[0].pid | type) == "number" and
	.[0].argv == ["/bin/sh", "-c", "exit 0"]' "records: pid and argv"
rec_check '.[0].limits | .cpu_millicores == 1000 and
	.memory_bytes == 268435456 and .pids == 64 and .fds == 256 and
	.timeout_ms == 30000 and .rlimits.nofile == 256 and
	.rlimits.core_bytes == 0' "records: limits as applied"
rec_check '.[0].layers | keys == (["capabilities", "cgroup",
	"environment", "fds", "identity", "landlock", "namespaces",
	"no_new_privs", "rlimits", "seccomp", "timeout"]) and
	all(.[]; test("^(applied|degraded: .+|skipped: .+)$"))' \
	"records: every layer with a status"
rec_check '.[0].layers | .environment == "applied" and
	.rlimits == "applied" and .identity == "applied" and
	.no_new_privs == "applied" and .fds == "applied"' \
	"records: the layers that always apply"
rec_check '.[1] | .outcome == "success" and .exit_code == 0 and
	.wait_status == 0 and .signal == null and
	(.duration_ms | type) == "number" and
	(.cpu_ms.user | type) == "number" and
	(.cpu_ms.system | type) == "number" and .peak_memory_bytes > 0' \
	"records: end record fields"
mkspec e3.json '["/bin/sh", "-c", "exit 3"]'
"$MCP_EXEC" -q --records rec e3.json </dev/null
rec_check 'length == 4 and .[3].outcome == "error" and .[3].exit_code == 3' \
	"records: appended, outcome error"
rm -f rec
exec_cmd "$MCP_EXEC" -q --records-fd 5 ok.json </dev/null 5>rec
rec_check 'length == 2 and .[1].outcome == "success"' "records: --records-fd"
"$MCP_EXEC" -q --spec-fd 4 4<ok.json </dev/null
check "--spec-fd reads the spec" test $? -eq 0

# A record that cannot be written is a warning once the server started.
if [ -w /dev/full ]; then
	mkspec hi.json '["/bin/sh", "-c", "echo hi"]'
	run exec_cmd "$MCP_EXEC" -q --records /dev/full hi.json
	check "records to /dev/full: exit 1" test "$rc" -eq 1
	check "records to /dev/full: the server never ran" test ! -s "$T/out"
	check "records to /dev/full: one error line" \
		grep -q '^mcp-exec: records: write: No space left on device$' "$T/err"
fi

# The end record cannot be written (its reader went away): a warning, and
# the server's own status.
mkspec late.json '["/bin/sh", "-c", "sleep 0.3; exit 7"]'
{ "$MCP_EXEC" -q --records-fd 5 late.json 5>&1 >/dev/null 2>late.err </dev/null
  echo $? >late.rc; } | head -n 1 >late.first
check "end record lost: the server's status 7" test "$(cat late.rc)" -eq 7
check "end record lost: the start record was read" \
	jq_true late.first '.event == "start"'
check "end record lost: one warning, even with -q" \
	grep -qx 'mcp-exec: warning: records: write: Broken pipe' late.err

# isolation.require: a layer that is not applied (here: disabled) refuses.
mkspec req.json '["/bin/sh", "-c", "echo ran > marker"]' \
	'.isolation = {"require": ["seccomp"], "degrade": [],
	               "disable": ["seccomp"]}'
rm -f rec marker
expect_fail 125 'layer seccomp is required by the spec but skipped: disabled by the spec' \
	"required layer missing: refused" \
	exec_cmd "$MCP_EXEC" -q --records rec req.json
check "required layer missing: nothing ran" test ! -e marker
rec_check '.[1].outcome == "setup_failed" and .[1].exit_code == 125' \
	"required layer missing: recorded"

# -v prints each layer; the warning names what was not applied.
mkspec nosc.json '["/bin/sh", "-c", "exit 0"]' '.isolation.disable = ["seccomp"]'
run exec_cmd "$MCP_EXEC" -v nosc.json
check "-v: a line per layer" test "$(grep -c '^mcp-exec: layer ' "$T/err")" -eq 11
check "warning: names the layers not applied" \
	grep -q '^mcp-exec: warning: layers not applied: .*seccomp' "$T/err"
run exec_cmd "$MCP_EXEC" -q ok.json
check "-q: silent" test ! -s "$T/err"
done_testing
