# oci-lib.sh: helpers for the t6xxx tests of mcp-policy --oci (sourced after
# lib.sh and exec-lib.sh).  Bundles are made by the real pipeline
# (mcp-fetch | mcp-verify | mcp-policy --oci), or from a verified document
# written by hand whose tree holds the hostile test programs.

# mcp-policy judges host paths where they lead: the physical name.
T=$(cd "$T" && pwd -P) || exit 99

# The policy every runnable bundle is made under: the built-in floor, with
# the two layers OCI cannot express accepted.
ACCEPT=$T/oci-accept.yaml
cat >"$ACCEPT" <<'EOF'
policy:
  oci:
    accept: [landlock, timeout]
  subprocess:
    allow: true
EOF

# verified REF FILE: fetch and verify REF from the example registry.
verified() {
	"$MCP_FETCH" -q --registry "$REGISTRY" "$1" >"$T/fetch.json" 2>"$T/err" &&
		"$MCP_VERIFY" -q "$T/fetch.json" >"$2" 2>>"$T/err"
}

# hostile_doc FILE ARGV-JSON [JQ-FILTER]: a verified document whose tree
# ($T/hostile) holds copies of the test programs, running ARGV (names in
# the tree as "TREE/..."), with small limits and the subprocess request.
hostile_doc() {
	mkdir -p "$T/hostile"
	for _p in balloon forkbomb escape; do
		[ -e "$T/hostile/$_p" ] || cp "$MCP_TEST_BIN/$_p" "$T/hostile/$_p"
	done
	chmod -R a+rX "$T/hostile"
	jq -nc --arg t "$T/hostile" --argjson argv "$2" '{
	  kind: "mcp.verified/v1", verified_at: "2026-11-23T06:08:51.123Z",
	  ref: "test/hostile@1.0.0", package: "test/hostile", version: "1.0.0",
	  git_sha: null, status: "published", certification_level: 1,
	  origin: "community", registry: "file:///srv/registry",
	  manifest: {digest: "sha256:\("a" * 64)", size_bytes: 1, path: "/x/m"},
	  bundle: {digest: "sha256:\("b" * 64)", size_bytes: 1, path: "/x/b"},
	  tree: $t,
	  server: {transport: {type: "stdio"},
	    entrypoint: {command: "x", args: [], env: {}, workdir: ".",
	      argv: ($argv | map(sub("^TREE"; $t)))},
	    permissions: {network: [], environment: [], subprocess: true,
	      filesystem: []},
	    limits: {memory_bytes: 67108864, pids: 16, cpu_millicores: 500,
	      fds: 64, timeout_ms: 60000}}}' | jq -c "${3:-.}" >"$1"
}

# bundle DIR VERIFIED [CONFIG...]: mcp-policy --oci DIR under $ACCEPT.
bundle() {
	_dir=$1 _doc=$2
	shift 2
	"$MCP_POLICY" -q --config "$ACCEPT" "$@" --oci "$_dir" "$_doc" \
		>"$_dir.spec.json" 2>"$T/err"
}

# Checks in sh -c read the last status.
rc=0
export rc

# The runtime under test ($RT: runc or crun), its state kept in $T.
RT_ROOT=$T/rt-state
rt_ids=
rt_n=0
# rt_run BUNDLE CMD-PREFIX...: run BUNDLE's container under the runtime
# with a fresh id, after CMD-PREFIX (a client, or nothing), inside the
# safety net.  Output as run()'s.
rt_run() {
	_b=$1
	shift
	rt_n=$((rt_n + 1))
	_id=mcp-$TEST_NAME-$$-$rt_n
	rt_ids="$rt_ids $_id"
	run in_safety_net "$@" "$RT" --root "$RT_ROOT" run --bundle "$_b" "$_id"
}
rt_cleanup() {
	for _id in $rt_ids; do
		"$RT" --root "$RT_ROOT" delete -f "$_id" >/dev/null 2>&1
	done
	return 0
}
CLEANUP_HOOK=rt_cleanup

# runtime_preamble NAME: set RT to the runtime NAME, or skip the whole test
# (and return 1) where it cannot run: not root (plain skip: a runtime
# needs root here), not installed (skip_strict: CI installs both).
runtime_preamble() {
	RT=$(command -v "$1" 2>/dev/null)
	if [ -z "$RT" ]; then
		skip_strict "$1 not installed (Debian package $1)"
		return 1
	fi
	if ! is_root; then
		skip "not root: $1 runs containers as root in these tests"
		return 1
	fi
	if [ "${PYTHON3:-no}" = no ]; then
		skip_strict "python3 not found: mcp-client.py cannot run"
		return 1
	fi
	safety_net_setup
	return 0
}

# runtime_suite: the example servers and the hostile programs from bundles
# under $RT.
runtime_suite() {
	client=$top_srcdir/examples/mcp-client.py
	for ex in echo-c echo-python echo-node; do
		if [ "$ex" = echo-node ] && [ "${NODE:-no}" = no ]; then
			skip "node not found: examples/echo-node not run"
			continue
		fi
		if ! verified "examples/$ex@1.0.0" "$T/$ex.json" ||
			! bundle "$T/$ex" "$T/$ex.json"; then
			not_ok "$ex: a bundle from the pipeline"
			show_output
			continue
		fi
		ok "$ex: a bundle from the pipeline"
		rt_run "$T/$ex" "$PYTHON3" "$client" --timeout 60 --expect-name "$ex" --
		check "$ex: an MCP session (initialize, tools/list, tools/call) under $RT" \
			test "$rc" -eq 0
		check "$ex: three replies" \
			test "$(jq -c . "$T/out" 2>/dev/null | wc -l)" -eq 3
	done

	# What the server sees: only what the spec grants.
	mkdir -p "$T/hostile"
	cat >"$T/hostile/probe.sh" <<'PROBE'
echo "uid=$(id -u) gid=$(id -g) umask=$(umask)"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
echo "root=$(ls -A / | tr '\n' ' ')"
echo "pids=$(ls /proc | grep -c '^[0-9]')"
echo "net=$(sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
echo "host=$(cat /proc/sys/kernel/hostname)"
PROBE
	hostile_doc "$T/probe.json" '["/bin/sh", "TREE/probe.sh"]'
	if bundle "$T/probe" "$T/probe.json"; then
		rt_run "$T/probe"
		cp "$T/out" "$T/probe.out"
		check "probe: runs (exit 0)" test "$rc" -eq 0
		check "probe: uid and gid nobody, umask 0077" \
			grep -qx "uid=65534 gid=65534 umask=0077" "$T/probe.out"
		check "probe: no capability, no new privileges, a seccomp filter" \
			sh -c 'grep -qx "CapEff:	0000000000000000" "$T/probe.out" &&
				grep -qx "CapBnd:	0000000000000000" "$T/probe.out" &&
				grep -qx "NoNewPrivs:	1" "$T/probe.out" &&
				grep -qx "Seccomp:	2" "$T/probe.out"'
		want="root=$(ls -A "$T/probe/rootfs" | tr '\n' ' ')"
		check "probe: / is the bundle's rootfs ($want)" \
			grep -qxF "$want" "$T/probe.out"
		check "probe: rootfs holds runtime paths, /mcp, /proc, /dev, /tmp only" \
			sh -c '! ls -A "$T/probe/rootfs" | grep -vxE "bin|dev|etc|lib|lib32|lib64|libx32|mcp|proc|sbin|tmp|usr"'
		check "probe: a pid namespace (the probe's own processes only)" \
			sh -c 'n=$(sed -n "s/^pids=//p" "$T/probe.out"); test -n "$n" && test "$n" -le 4'
		check "probe: loopback only, host name mcp" \
			sh -c 'grep -qx "net=lo " "$T/probe.out" && grep -qx "host=mcp" "$T/probe.out"'
	else
		not_ok "probe: a bundle"
		show_output
	fi

	# Escapes: the shared seccomp table and the read-only root hold.
	hostile_doc "$T/esc.json" '["TREE/escape", "x"]' '.server.permissions.subprocess = false'
	if bundle "$T/esc" "$T/esc.json"; then
		for m in "read /etc/shadow" "write /mcp/bundle/planted" "write /usr/planted" \
			"write /etc/planted" mount ptrace userns personality raw packet \
			netlink mptcp bpf keyctl io_uring sh; do
			jq --arg m "$m" '.process.args = ([.process.args[0]] + ($m | split(" ")))' \
				"$T/esc/config.json" >"$T/esc.cfg" && cp "$T/esc.cfg" "$T/esc/config.json"
			rt_run "$T/esc"
			if [ "$m" = sh ]; then
				check "escape: no subprocess without the grant (fork refused)" \
					grep -q "fork: Operation not permitted" "$T/out"
			else
				check "escape: $m blocked ($(head -c 120 "$T/out"))" \
					sh -c 'test "$rc" -eq 0 && grep -q ": blocked: " "$T/out"'
			fi
		done
		check "escape: nothing planted on the host" \
			sh -c 'test ! -e /usr/planted && test ! -e /etc/planted'
	else
		not_ok "escape: a bundle"
		show_output
	fi

	# Limits: a memory hog and a fork bomb are stopped by the bundle's own
	# limits (64 MiB, 16 pids), inside the safety net.
	hostile_doc "$T/mem.json" '["TREE/balloon", "1024"]'
	if bundle "$T/mem" "$T/mem.json"; then
		rt_run "$T/mem"
		check "memory hog: killed (exit 137 or a failed malloc: $rc)" \
			sh -c 'test "$rc" -eq 137 || grep -q "malloc failed" "$T/out"'
		check "memory hog: never reached 1 GiB, nor 128 MiB" \
			sh -c '! grep -q done "$T/out" && ! grep -Eq "^(1[2-9][0-9]|[2-9][0-9][0-9]) MiB" "$T/out"'
	else
		not_ok "memory hog: a bundle"
		show_output
	fi
	hostile_doc "$T/bomb.json" '["TREE/forkbomb", "2"]'
	if bundle "$T/bomb" "$T/bomb.json"; then
		rt_run "$T/bomb"
		check "fork bomb: exits 0" test "$rc" -eq 0
		check "fork bomb: forks refused by the pids limit" \
			grep -Eq '^forks=[0-9]+ failed=[1-9]' "$T/out"
	else
		not_ok "fork bomb: a bundle"
		show_output
	fi

	# The runtime validates config.json: broken ones are refused.
	cp -R "$T/echo-c" "$T/broken"
	jq 'del(.process.args)' "$T/echo-c/config.json" >"$T/broken/config.json"
	expect_fail 1 'args must not be empty|args' \
		"a config.json without process.args: refused by $RT" \
		"$RT" --root "$RT_ROOT" run --bundle "$T/broken" "mcp-$TEST_NAME-$$-broken1"
	jq '.process.cwd = "mcp/bundle"' "$T/echo-c/config.json" >"$T/broken/config.json"
	expect_fail 1 '[Cc]wd must be an absolute path|cwd' \
		"a relative process.cwd: refused by $RT" \
		"$RT" --root "$RT_ROOT" run --bundle "$T/broken" "mcp-$TEST_NAME-$$-broken2"
	rt_ids="$rt_ids mcp-$TEST_NAME-$$-broken1 mcp-$TEST_NAME-$$-broken2"
}
