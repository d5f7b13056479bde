#!/bin/sh
# t6001: mcp-policy --oci DIR writes an OCI runtime bundle: config.json
# checked field by field (the limits, no capability, no new privileges, the
# shared seccomp table, namespaces, mounts, no secret value), rootfs with
# the verified tree; what OCI cannot express refused unless policy.oci.accept
# accepts it, a later layer only taking acceptances away; DIR made whole or
# not at all.  No runtime is needed here (t6002, t6003 run the bundles).
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"
. "$top_srcdir/tests/e2e/oci-lib.sh"


if ! verified examples/echo-python@1.0.0 "$T/v.json"; then
	not_ok "fetch and verify examples/echo-python"
	show_output
	done_testing
	exit
fi
C=$T/b/config.json

# --- refused: the built-in floor requires landlock and timeout -------------

run "$MCP_POLICY" -q --oci "$T/b" "$T/v.json"
check "built-in policy: refused (exit 3)" test "$rc" -eq 3
check "refused: two lines, landlock and timeout, each required by the floor" \
	sh -c 'test "$(wc -l <"$T/err")" -eq 2 &&
		grep -q "^mcp-policy: denied: oci: Landlock .*policy.isolation.require requires it" "$T/err" &&
		grep -q "^mcp-policy: denied: oci: the wall-clock timeout .*policy.isolation.require requires it" "$T/err"'
out_kind mcp.denied/v1 "refused: an mcp.denied/v1 document"
jq_check '[.reasons[].rule] == ["oci", "oci"]' "refused: the reasons' rule is oci"
check "refused: no bundle, no temporary directory" \
	sh -c '! ls -d "$T"/b "$T"/b.tmp-* 2>/dev/null'
run "$MCP_POLICY" -q "$T/v.json"
check "without --oci the same policy grants the spec" test "$rc" -eq 0

# --- accepted ---------------------------------------------------------------

run bundle "$T/b" "$T/v.json"
check "accepted: exit 0" test "$rc" -eq 0
cp "$T/b.spec.json" "$T/out"
out_kind mcp.spec/v1 "accepted: the spec on stdout"
jq_check '.oci.bundle == "'"$T/b"'" and .oci.unexpressed == ["landlock", "timeout"]' \
	"the spec records the bundle and what it does not express"
jq_check '.warnings | map(select(startswith("oci: "))) | length == 2' \
	"the spec's warnings name both gaps"
check "DIR holds config.json and rootfs only" \
	test "$(ls "$T/b" | tr '\n' ' ')" = "config.json rootfs "
check "no temporary directory left" sh -c '! ls -d "$T"/b.tmp-* 2>/dev/null'
tree=$(jq -r .tree "$T/b.spec.json")
check "rootfs holds the verified tree at /mcp/bundle" \
	cmp -s "$tree/server.py" "$T/b/rootfs/mcp/bundle/server.py"
check "the tree's copy has no write permission" \
	test -z "$(find "$T/b/rootfs/mcp/bundle" -type f -perm /222)"

jq_check '.ociVersion == "1.0.2" and .root == {path: "rootfs", readonly: true}' \
	"config.json: version, read-only root" "$C"
jq_check '.process.args[0] == "/usr/bin/python3" and
	.process.args[1] == "/mcp/bundle/server.py" and
	.process.cwd == "/mcp/bundle" and .process.terminal == false' \
	"config.json: args and cwd in the container's tree" "$C"
jq_check '.process.user == {uid: 65534, gid: 65534, umask: 63}' \
	"config.json: user nobody, umask 0077" "$C"
jq_check '[.process.capabilities[]] == [[], [], [], [], []] and
	(.process.capabilities | keys) == ["ambient", "bounding", "effective", "inheritable", "permitted"]' \
	"config.json: every capability set empty" "$C"
jq_check '.process.noNewPrivileges == true' "config.json: noNewPrivileges" "$C"
jq_check '.process.env | sort == ["HOME=/tmp", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin"]' \
	"config.json: the spec's environment, nothing else" "$C"
lim() { jq -r ".limits.$1" "$T/b.spec.json"; }
jq_check "(.process.rlimits | map({(.type): [.soft, .hard]}) | add) as \$r |
	\$r.RLIMIT_NOFILE == [$(lim fds), $(lim fds)] and \$r.RLIMIT_CORE == [0, 0] and
	\$r.RLIMIT_FSIZE == [1073741824, 1073741824] and
	\$r.RLIMIT_DATA[0] == $(($(lim memory_bytes) * 2)) and
	\$r.RLIMIT_CPU[1] == \$r.RLIMIT_CPU[0] + 5" \
	"config.json: rlimits as mcp-exec sets them" "$C"
jq_check ".linux.resources.memory == {limit: $(lim memory_bytes), swap: $(lim memory_bytes)} and
	.linux.resources.pids.limit == $(lim pids) and
	.linux.resources.cpu == {quota: $(($(lim cpu_millicores) * 100)), period: 100000}" \
	"config.json: memory (no swap), pids and cpu from the spec's limits" "$C"
jq_check '[.linux.namespaces[].type] | sort == ["cgroup", "ipc", "mount", "network", "pid", "uts"]' \
	"config.json: new pid, mount, ipc, uts, cgroup and network namespaces" "$C"
jq_check '(.linux.maskedPaths | index("/proc/kcore")) and (.linux.readonlyPaths | index("/proc/sys"))' \
	"config.json: masked and read-only paths" "$C"
jq_check '.mounts | map(select(.destination == "/tmp"))[0] | .type == "tmpfs" and (.options | index("nosuid"))' \
	"config.json: a private /tmp" "$C"
jq_check '.mounts | map(select(.destination == "/usr"))[0] | .type == "bind" and (.options | index("ro"))' \
	"config.json: /usr bound read-only" "$C"
jq_check '[.mounts[] | select(.type == "bind") | .options | index("ro")] | all' \
	"config.json: every bind read-only (no grant asked for)" "$C"
jq_check '.linux.seccomp.defaultAction == "SCMP_ACT_ALLOW" and
	(.linux.seccomp.architectures | length) == 1' \
	"seccomp: a deny-list for the native architecture" "$C"
jq_check '[.linux.seccomp.syscalls[] | select(.names | index("ptrace"))][0].errnoRet == 1 and
	[.linux.seccomp.syscalls[] | select(.names == ["clone3"])][0].errnoRet == 38' \
	"seccomp: ptrace EPERM, clone3 ENOSYS (the shared table)" "$C"
jq_check '[.linux.seccomp.syscalls[] | select(.names == ["personality"])] | length == 33 and
	all(.args | length == 1)' \
	"seccomp: personality as 33 one-comparison rules" "$C"
jq_check '[.linux.seccomp.syscalls[] | select(.errnoRet == 1 and (.args | not)) | .names[]] | index("fork") and index("vfork")' \
	"seccomp: fork refused without the subprocess grant" "$C"
jq_check '[.linux.seccomp.syscalls[] | .args // [] | map(.index) | group_by(.) | map(length) | max // 1] | max == 1' \
	"seccomp: never two comparisons of one argument in a rule" "$C"
jq_check '.annotations["org.mcp-tools.unexpressed"] == "landlock,timeout" and
	(.annotations["org.mcp-tools.bundle_digest"] | startswith("sha256:")) and
	.annotations["org.mcp-tools.timeout_ms"] == "'"$(lim timeout_ms)"'"' \
	"annotations: the gaps, the digest, the timeout" "$C"

# --- the isolation floor decides --------------------------------------------

cat >"$T/floor.yaml" <<'EOF'
policy:
  isolation:
    require: [namespaces, seccomp, no_new_privs, rlimits]
EOF
run "$MCP_POLICY" --config "$T/floor.yaml" --oci "$T/b2" "$T/v.json"
check "a floor without landlock and timeout: granted" test "$rc" -eq 0
check "... with a warning for each gap all the same" \
	test "$(grep -c 'warning: oci: .*not in policy.isolation.require' "$T/err")" -eq 2

# --- secrets, passed variables, the allowlist -------------------------------

jq -c '.server.permissions.environment = ["API_TOKEN", "REGION"] |
	.server.permissions.network = ["api.example.com:443"]' "$T/v.json" >"$T/vs.json"
cat >"$T/grants.yaml" <<'EOF'
policy:
  environment:
    allow: [REGION]
    secrets: [API_TOKEN]
  network:
    mode: allowlist
    allow: ["api.example.com:443"]
EOF
API_TOKEN=s3cr3t-value-6001 REGION=eu-6001
export API_TOKEN REGION
run "$MCP_POLICY" -q --config "$ACCEPT" --config "$T/grants.yaml" --oci "$T/b3" "$T/vs.json"
check "grants OCI cannot carry: refused (exit 3)" test "$rc" -eq 3
check "refused: allowlist, secrets and pass_env, one line each" \
	sh -c 'test "$(wc -l <"$T/err")" -eq 3 &&
		grep -q "^mcp-policy: denied: oci: the network allowlist .*the spec grants it" "$T/err" &&
		grep -q "^mcp-policy: denied: oci: secrets .*the spec grants it" "$T/err" &&
		grep -q "^mcp-policy: denied: oci: variables .*the spec grants it" "$T/err"'
cat >"$T/all.yaml" <<'EOF'
policy:
  oci:
    accept: [landlock, timeout, allowlist, secrets, pass_env]
EOF
run "$MCP_POLICY" -q --config "$T/grants.yaml" --config "$T/all.yaml" --oci "$T/b3" "$T/vs.json"
check "accepted: granted" test "$rc" -eq 0
jq_check '.oci.unexpressed == ["landlock", "timeout", "allowlist", "secrets", "pass_env"]' \
	"the spec lists all five gaps"
check "no secret value anywhere in the bundle" \
	sh -c '! grep -rq "s3cr3t-value-6001" "$T/b3"'
check "no passed value either" sh -c '! grep -rq "eu-6001" "$T/b3"'
jq_check '.annotations["org.mcp-tools.secrets"] == "API_TOKEN" and
	.annotations["org.mcp-tools.pass_env"] == "REGION" and
	.annotations["org.mcp-tools.network.allow"] == "api.example.com:443" and
	.annotations["org.mcp-tools.network.mode"] == "allowlist"' \
	"annotations: secret and variable names, the allowlist" "$T/b3/config.json"
jq_check '(.process.env | map(select(startswith("API_TOKEN") or startswith("REGION"))) | length == 0) and
	([.linux.namespaces[].type] | index("network"))' \
	"config.json: neither in process.env; a network namespace (loopback only)" "$T/b3/config.json"

# --- layering: a later file only takes acceptances away ----------------------

cat >"$T/less.yaml" <<'EOF'
policy:
  oci:
    accept: [landlock, timeout]
EOF
run "$MCP_POLICY" -q --config "$T/grants.yaml" --config "$T/all.yaml" \
	--config "$T/less.yaml" --oci "$T/b4" "$T/vs.json"
check "a later layer removes an acceptance: refused (exit 3)" test "$rc" -eq 3
check "... secrets not in the later layer's policy.oci.accept" \
	grep -q "denied: oci: secrets .*not in policy.oci.accept (.*less.yaml:3)" "$T/err"
run "$MCP_POLICY" --config "$T/grants.yaml" --config "$T/less.yaml" \
	--config "$T/all.yaml" --oci "$T/b4" "$T/vs.json"
check "a later layer cannot add one: still refused (exit 3)" test "$rc" -eq 3
check "... and says the addition was ignored" \
	grep -q 'warning: .*all.yaml:3: policy.oci.accept secrets is not accepted by .*less.yaml:3; ignored' "$T/err"
check "no bundle after a refusal" test ! -e "$T/b4"

# --- the directory ----------------------------------------------------------

mkdir "$T/full" && : >"$T/full/x"
expect_fail 1 "^mcp-policy: $T/full: exists and is not empty\$" \
	"a non-empty DIR: refused, exit 1" \
	"$MCP_POLICY" -q --config "$ACCEPT" --oci "$T/full" "$T/v.json"
check "... nothing on stdout, DIR untouched" \
	sh -c 'test ! -s "$T/out" && test "$(ls "$T/full")" = x'
: >"$T/afile"
expect_fail 1 'afile: exists and is not a directory' "a file as DIR: refused" \
	"$MCP_POLICY" -q --config "$ACCEPT" --oci "$T/afile" "$T/v.json"
mkdir "$T/empty"
run bundle "$T/empty" "$T/v.json"
check "an empty DIR becomes the bundle" \
	sh -c 'test "$rc" -eq 0 && test -f "$T/empty/config.json"'
expect_fail 2 'option --oci: .*must name a new directory' "--oci .. refused (usage)" \
	"$MCP_POLICY" -q --oci .. "$T/v.json"
expect_fail 2 "repeated option|--oci" "--oci twice refused" \
	"$MCP_POLICY" -q --oci "$T/x1" --oci "$T/x2" "$T/v.json"
expect_fail 2 '--check takes one file' "--check with --oci refused" \
	"$MCP_POLICY" --check "$ACCEPT" --oci "$T/x3"
printf 'policy:\n  oci:\n    accept: [seccomp]\n' >"$T/bad.yaml"
expect_fail 2 'policy.oci.accept\[0\]: "seccomp" is not a gap of the OCI target' \
	"policy.oci.accept: an unknown gap is an error" \
	"$MCP_POLICY" --check "$T/bad.yaml"

# A tree the bundle cannot take (a FIFO: mcp-verify never makes one):
# refused, and neither DIR nor a temporary directory is left.
mkdir -p "$T/odd/sub"
: >"$T/odd/server.py" && mkfifo "$T/odd/sub/fifo"
jq -c --arg t "$T/odd" '.tree = $t | .server.entrypoint.argv = ["/usr/bin/python3", ($t + "/server.py")]' \
	"$T/v.json" >"$T/vodd.json"
expect_fail 1 'tree: .*/sub/fifo: not a file, directory or symbolic link' \
	"a tree with a FIFO: refused, exit 1" \
	"$MCP_POLICY" -q --config "$ACCEPT" --oci "$T/b6" "$T/vodd.json"
check "... no bundle and no temporary directory left" \
	sh -c '! ls -d "$T"/b6 "$T"/b6.tmp-* 2>/dev/null && test ! -s "$T/out"'

# --- --explain: a dry run ---------------------------------------------------

run "$MCP_POLICY" --explain --oci "$T/b5" "$T/v.json"
check "--explain --oci: exit 3 under the built-in floor" test "$rc" -eq 3
check "--explain --oci: the table has the oci rows" \
	sh -c 'grep -Eq "^oci +landlock +deny" "$T/out" && grep -Eq "^oci +timeout +deny" "$T/out"'
check "--explain --oci: no bundle written" test ! -e "$T/b5"
done_testing
