#!/bin/sh
# t4010: the namespaces and the private root, as root and as an
# unprivileged user (a user namespace then): what the server sees of the
# host's files, processes, network and identity, and what it may write.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

# Planted on the host, readable by everyone, never granted.
HOSTDIR=$(mktemp -d /tmp/mcp-t4010.XXXXXX)
chmod 755 "$HOSTDIR"
echo hostsecret >"$HOSTDIR/secret"
chmod 644 "$HOSTDIR/secret"
ROOTSECRET=
if is_root; then
	ROOTSECRET=/root/.mcp-t4010-secret.$$
	echo rootsecret >"$ROOTSECRET"
fi
cleanup4010() {
	rm -rf "$HOSTDIR"
	[ -z "$ROOTSECRET" ] || rm -f "$ROOTSECRET"
}
CLEANUP_HOOK=cleanup4010
trap 'cleanup4010; _cleanup' EXIT

W=$T/w
mkdir -p "$W" "$T/ro"
chmod 777 "$W"
chmod 755 "$T/ro"
echo readable >"$T/ro/file"
chmod 644 "$T/ro/file"

if ! unshare_ok=$(exec_cmd "$MCP_EXEC" --probe --json 2>/dev/null |
	jq -r '.namespaces.mount | startswith("yes")') || [ "$unshare_ok" != true ]; then
	skip_strict "mount namespaces not available here"
	cleanup4010
	done_testing
	exit
fi

# The server: one line per view.
cat >"$T/views.sh" <<EOF
echo "uid=\$(id -u)"
echo "host=\$(hostname)"
echo "user=\$(id -un 2>/dev/null)"
test -e "$HOSTDIR/secret" && echo "SEEN host-tmp"
test -n "$ROOTSECRET" && test -e "$ROOTSECRET" && echo "SEEN root-secret"
for d in /root /home /var /srv /opt /boot /mnt /media; do
	test -e "\$d" && echo "SEEN \$d"
done
echo "procs=\$(ls /proc | grep -c '^[0-9]')"
echo "pid=\$\$"
echo "ifaces=\$(grep -c : /proc/net/dev)"
grep -q '^ *lo:' /proc/net/dev && echo "lo=yes"
touch /etc/x 2>/dev/null && echo "WROTE /etc"
touch / 2>/dev/null; touch /newfile 2>/dev/null && echo "WROTE /"
touch "$MCP_TEST_BIN/x" 2>/dev/null && echo "WROTE tree"
touch "$T/ro/x" 2>/dev/null && echo "WROTE ro-grant"
cat "$T/ro/file" >/dev/null 2>&1 && echo "read ro-grant"
# A name no checkout can have: the build tree is bound at its host path,
# which may itself lie under /tmp.
touch /tmp/.mcp-t4010-probe 2>/dev/null && echo "wrote /tmp"
touch "$W/x.\$(id -u)" 2>/dev/null && echo "wrote rw-grant"
test -c /dev/null && echo "dev null"
echo hi >/dev/null && echo "dev null writable"
test -e /dev/sda && echo "SEEN /dev/sda"
test -r /etc/passwd && grep -q "^[^:]*:x:\$(id -u):" /etc/passwd && echo "passwd has me"
test -e /etc/shadow && echo "SEEN /etc/shadow"
test -e /etc/resolv.conf && echo "SEEN resolv.conf"
mount 2>/dev/null | grep -q ' / ' || true
awk '\$5 == "/" { print "rootopts=" \$6 }' /proc/self/mountinfo
exit 0
EOF
chmod 644 "$T/views.sh"

views() {
	_who=$1
	shift
	mkspec "views-$_who.json" "[\"/bin/sh\", \"$T/views.sh\"]" \
		".filesystem += [{path: \"$T/ro\", access: \"ro\"}] |
		 .isolation.require = [\"namespaces\"]"
	rm -f "$W/rec"
	run "$@" "$MCP_EXEC" -q --records "$W/rec" "views-$_who.json"
	cp "$W/rec" "$T/rec" 2>/dev/null
	check "$_who: exit 0" test "$rc" -eq 0
	check "$_who: nothing of the host seen or written" \
		sh -c '! grep -E "^(SEEN|WROTE)" "$T/out"'
	check "$_who: hostname mcp" grep -qx 'host=mcp' "$T/out"
	check "$_who: only the run's processes in /proc (the init and the server's)" \
		sh -c 'n=$(sed -n "s/^procs=//p" "$T/out"); test -n "$n" && test "$n" -le 4'
	check "$_who: the server is pid 2 (the init is pid 1)" grep -qx 'pid=2' "$T/out"
	check "$_who: loopback only, and up" \
		sh -c 'grep -qx "ifaces=1" "$T/out" && grep -qx "lo=yes" "$T/out"'
	check "$_who: the root is read-only" grep -q '^rootopts=ro' "$T/out"
	check "$_who: the ro grant is readable" grep -qx 'read ro-grant' "$T/out"
	check "$_who: private /tmp writable" grep -qx 'wrote /tmp' "$T/out"
	check "$_who: the rw grant is writable" grep -qx 'wrote rw-grant' "$T/out"
	check "$_who: /dev/null works" grep -qx 'dev null writable' "$T/out"
	check "$_who: /etc/passwd names the server's user" grep -qx 'passwd has me' "$T/out"
	check "$_who: the private /tmp is not the host's" test ! -e /tmp/x.mcp-never
	rec_check '.[0].layers.namespaces == "applied" and
		.[1].layers.namespaces == "applied"' \
		"$_who: start and end records say namespaces applied"
}

if is_root; then
	views root exec_cmd
	check "root: runs as 65534" grep -qx 'uid=65534' "$T/out"
fi
if setup_as_user; then
	views user as_user
	check "user: stays uid $TU (mapped to itself)" grep -qx "uid=$TU" "$T/out"
	check "user: the rw grant's file is the user's on the host" \
		test "$(stat -c %u "$W/x.$TU" 2>/dev/null)" = "$TU"
fi

# (Signals forwarded through the init: t4003, which runs in the namespaces.)
# Killed by a signal: the init reports the server's wait status.
mkspec usr1.json '["/bin/sh", "-c", "kill -USR1 $$"]'
run exec_cmd "$MCP_EXEC" -q --records rec2 usr1.json
check "signalled server: exit 138" test "$rc" -eq 138
cp rec2 "$T/rec"
rec_check '.[1].outcome == "signal" and .[1].signal == 10' \
	"signalled server: end record says signal 10"

# A daemon dies with the namespace's init.
mkspec dmn.json "[\"$MCP_TEST_BIN/daemonize\", \"$T/daemon.pid\"]"
: >daemon.pid
chmod 666 daemon.pid
run exec_cmd "$MCP_EXEC" -q --records rec3 dmn.json
check "daemon: the server exited 0" test "$rc" -eq 0
check "daemon: it ran inside (pid written)" test -s daemon.pid
cp rec3 "$T/rec"
pid1=$(jq -r -s '.[0].pid' rec3)
check "daemon: the namespace's init is gone" sh -c "! { . '$top_srcdir/tests/e2e/exec-lib.sh'; alive $pid1; }"

# mcp-exec killed outright: the namespace dies with it (parent-death
# signal on the init).  In the background, not under exec_cmd, so that $!
# is mcp-exec; the spec's timeout bounds it.
mkspec orphan.json '["/bin/sh", "-c", "echo $$ >'"$W"'/orphan.ns; exec sleep 60"]' \
	'.limits.timeout_ms = 20000'
rm -f "$W/orphan.ns" rec.orphan
"$MCP_EXEC" -q --records rec.orphan orphan.json >/dev/null 2>&1 </dev/null &
xpid=$!
i=0
while [ $i -lt 300 ] && ! [ -s "$W/orphan.ns" ]; do
	sleep 0.1
	i=$((i + 1))
done
ipid=$(jq -r -s '.[0].pid' rec.orphan 2>/dev/null)
kill -KILL "$xpid"
wait "$xpid" 2>/dev/null
i=0
while [ $i -lt 300 ] && [ -n "$ipid" ] && [ -e "/proc/$ipid" ]; do
	sleep 0.1
	i=$((i + 1))
done
check "mcp-exec killed: the server had started (init pid ${ipid:-none})" \
	test -n "$ipid" -a "$ipid" != null
check "mcp-exec killed: the namespace's init is gone, and with it the server" \
	test ! -e "/proc/${ipid:-0}"
check "mcp-exec killed: no process of the run is left in the cgroups" \
	sh -c '! grep -qs . /sys/fs/cgroup/*/mcp-exec.'"$xpid"'/cgroup.procs /sys/fs/cgroup/*/*/*/mcp-exec.'"$xpid"'/cgroup.procs'

# Disabled by the spec: recorded as such; required and disabled: refused.
mkspec off.json '["/bin/sh", "-c", "test -e '"$HOSTDIR"'/secret"]' \
	'.isolation.disable = ["namespaces"]'
run exec_cmd "$MCP_EXEC" -q --records rec4 off.json
check "disabled: the host's /tmp is visible" test "$rc" -eq 0
cp rec4 "$T/rec"
rec_check '.[0].layers.namespaces == "skipped: disabled by the spec"' \
	"disabled: recorded as skipped"
mkspec req.json '["/bin/true"]' \
	'.isolation.disable = ["namespaces"] | .isolation.require = ["namespaces"]'
expect_fail 125 'layer namespaces is required by the spec but skipped: disabled by the spec' \
	"required but disabled: refused" exec_cmd "$MCP_EXEC" -q req.json
mkspec bad.json '["/bin/true"]' '.isolation.disable = ["rlimits"]'
expect_fail 2 'isolation.disable\[0\]: only namespaces, landlock and seccomp can be disabled' \
	"disable: only the optional layers" exec_cmd "$MCP_EXEC" -q bad.json
mkspec bad2.json '["/bin/true"]' '.filesystem = [{path: "/", access: "rw"}]'
expect_fail 2 'filesystem\[0\]: path must be an absolute path other than /' \
	"a grant of / is refused" exec_cmd "$MCP_EXEC" -q bad2.json
mkspec bad3.json '["/bin/true"]' '.filesystem = [{path: "/tmp/../etc", access: "ro"}]'
expect_fail 2 'filesystem\[0\]: path must be an absolute path other than /' \
	"a grant with .. is refused" exec_cmd "$MCP_EXEC" -q bad3.json
mkspec bad4.json '["/bin/true"]' '.filesystem = [{path: "/etc", access: "rwx"}]'
expect_fail 2 'filesystem\[0\]: access must be "ro" or "rw"' \
	"a grant's access is ro or rw" exec_cmd "$MCP_EXEC" -q bad4.json
mkspec miss.json '["/bin/true"]' '.filesystem += [{path: "/nonexistent/mcp-t4010", access: "ro"}]'
expect_fail 125 'namespaces: bind /nonexistent/mcp-t4010: No such file or directory' \
	"a missing grant refuses the run" exec_cmd "$MCP_EXEC" -q miss.json

cleanup4010
done_testing
