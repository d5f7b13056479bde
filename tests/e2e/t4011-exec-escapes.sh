#!/bin/sh
# t4011: hostile servers, each trying one way out (tests/bin/escape.c),
# as root and as an unprivileged user, under the default isolation: every
# attempt must fail, and the host must show no trace of it.  A control
# run with the optional layers disabled shows the probes do escape
# without them.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

E=$MCP_TEST_BIN/escape
HOSTDIR=$(mktemp -d /tmp/mcp-t4011.XXXXXX)
chmod 755 "$HOSTDIR"
echo hostsecret >"$HOSTDIR/secret"
chmod 644 "$HOSTDIR/secret"
mkdir "$HOSTDIR/w"
chmod 1777 "$HOSTDIR/w"
ROOTSECRET=
is_root && ROOTSECRET=/root/.mcp-t4011-secret.$$ && echo rootsecret >"$ROOTSECRET"
LPID= SPID=
cleanup4011() {
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null
	[ -z "$SPID" ] || kill "$SPID" 2>/dev/null
	LPID= SPID=
	rm -rf "$HOSTDIR"
	[ -z "$ROOTSECRET" ] || rm -f "$ROOTSECRET"
}
CLEANUP_HOOK=cleanup4011
trap 'cleanup4011; _cleanup' EXIT

if ! exec_cmd "$MCP_EXEC" --probe --json 2>/dev/null |
	jq -e '(.namespaces.mount | startswith("yes")) and .seccomp == "yes"' >/dev/null; then
	skip_strict "mount namespaces or seccomp not available here"
	cleanup4011
	done_testing
	exit
fi

# A listener on the host's loopback, which the server must not reach.
PYTHON=${PYTHON3:-python3}
"$PYTHON" -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
s.settimeout(60)
try:
    while True:
        c, _ = s.accept()
        print("CONNECTED", flush=True)
        c.close()
except Exception:
    pass' >"$T/listener" 2>/dev/null &
LPID=$!
i=0
while [ $i -lt 300 ] && ! [ -s "$T/listener" ]; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(head -n 1 "$T/listener")

# blocked WHO RUNNER MODE [ARG] [JQ]: the attempt fails: exit 0, one
# "MODE: blocked: ..." line, nothing on stderr.
blocked() {
	_who=$1 _runner=$2 _mode=$3 _arg=${4:-} _jq=${5:-.}
	if [ -n "$_arg" ]; then
		mkspec "e.json" "[\"$E\", \"$_mode\", \"$_arg\"]" "$_jq"
	else
		mkspec "e.json" "[\"$E\", \"$_mode\"]" "$_jq"
	fi
	run $_runner "$MCP_EXEC" -q e.json
	if [ "$rc" -eq 0 ] && grep -q "^$_mode: blocked: " "$T/out" &&
		[ "$(wc -l <"$T/out")" -eq 1 ] && [ ! -s "$T/err" ]; then
		ok "$_who: $_mode ${_arg:+$_arg }blocked ($(sed "s/^$_mode: blocked: //" "$T/out"))"
	else
		not_ok "$_who: $_mode ${_arg:+$_arg }blocked (exit $rc)"
		show_output
	fi
}

escapes() {
	_w=$1 _r=$2
	blocked "$_w" "$_r" read "$HOSTDIR/secret"
	[ -z "$ROOTSECRET" ] || blocked "$_w" "$_r" read "$ROOTSECRET"
	blocked "$_w" "$_r" read /etc/shadow
	blocked "$_w" "$_r" write "$HOSTDIR/w/planted.$_w"
	check "$_w: nothing written in the host's world-writable dir" \
		test ! -e "$HOSTDIR/w/planted.$_w"
	blocked "$_w" "$_r" write /etc/mcp-t4011-planted
	check "$_w: nothing written in the host's /etc" test ! -e /etc/mcp-t4011-planted
	# The private /tmp takes the write; the host's /tmp does not see it.
	mkspec e.json "[\"$E\", \"write\", \"/tmp/mcp-t4011-planted.$$\"]"
	run $_r "$MCP_EXEC" -q e.json
	check "$_w: a write to /tmp lands in the private /tmp only" \
		test ! -e "/tmp/mcp-t4011-planted.$$"
	blocked "$_w" "$_r" connect "$PORT"
	for m in mptcp sctp raw packet netlink ptrace mount userns environ \
		io_uring bpf perf keyctl userfaultfd personality; do
		blocked "$_w" "$_r" "$m"
	done
	blocked "$_w" "$_r" killall
	check "$_w: kill(-1) did not reach the host's process of the same user" \
		sh -c ". '$top_srcdir/tests/e2e/exec-lib.sh'; alive $SPID"
	if [ "$(uname -m)" = x86_64 ]; then
		mkspec x32.json "[\"$E\", \"x32\"]"
		run $_r "$MCP_EXEC" -q x32.json
		check "$_w: an x32 system call kills the server (SIGSYS, 159)" \
			sh -c 'test "$rc" -eq 159 && ! grep -q ESCAPED "$T/out"'
	fi
	# Subprocesses: refused without the grant, threads still work.
	mkspec sub.json "[\"$E\", \"sh\"]" '.subprocess = false'
	run $_r "$MCP_EXEC" -q sub.json
	check "$_w: no subprocess without the grant (fork refused)" \
		sh -c 'test "$rc" -eq 1 && grep -qx "sh: fork: Operation not permitted" "$T/out"' 
	mkspec sub.json "[\"$E\", \"sh\"]" '.subprocess = true'
	run $_r "$MCP_EXEC" -q sub.json
	check "$_w: /bin/sh runs with the grant" \
		sh -c 'test "$rc" -eq 0 && grep -qx "sh: ok" "$T/out"'
	# Landlock: exec only of the entrypoint without the grant, never
	# from a writable place; TCP and signals without the namespaces.
	blocked "$_w" "$_r" exec /bin/sh '.subprocess = false'
	mkspec x.json '["/bin/sh", "-c", "cp /bin/true /tmp/.mcp-t4011-exe && /tmp/.mcp-t4011-exe && echo RAN"]'
	run $_r "$MCP_EXEC" -q x.json
	check "$_w: a program written to /tmp does not run" \
		sh -c 'test "$rc" -ne 0 && ! grep -q RAN "$T/out"'
	blocked "$_w" "$_r" connect "$PORT" '.isolation.disable = ["namespaces"]'
	blocked "$_w" "$_r" kill "$SPID" '.isolation.disable = ["namespaces"]'
	check "$_w: the signal did not reach the host's process" \
		sh -c ". '$top_srcdir/tests/e2e/exec-lib.sh'; alive $SPID"
	mkspec thr.json "[\"$E\", \"threads\"]" '.subprocess = false'
	run $_r "$MCP_EXEC" -q thr.json
	check "$_w: threads work without the subprocess grant" \
		sh -c 'test "$rc" -eq 0 && grep -qx "threads: ok" "$T/out"'
}
export rc

# A process of the server's user on the host, for kill(-1): its pid.
sentinel() {
	[ -z "$SPID" ] || kill "$SPID" 2>/dev/null
	: >"$T/sentinel.pid"
	chmod 666 "$T/sentinel.pid"
	"$@" sh -c 'echo $$ >"$1"; exec sleep 120' sh "$T/sentinel.pid" \
		>/dev/null 2>&1 &
	i=0
	while [ $i -lt 300 ] && ! [ -s "$T/sentinel.pid" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	SPID=$(cat "$T/sentinel.pid")
}

if is_root; then
	sentinel setpriv --reuid 65534 --regid 65534 --clear-groups --
	escapes root exec_cmd
fi
if setup_as_user; then
	sentinel as_user
	escapes user as_user
fi
check "the host's listener was never reached" sh -c '! grep -q CONNECTED "$T/listener"'

# Control: with the optional layers off, the same probes get out.
mkspec ctl.json "[\"$E\", \"read\", \"$HOSTDIR/secret\"]" \
	'.isolation.disable = ["namespaces", "landlock", "seccomp"]'
run exec_cmd "$MCP_EXEC" -q ctl.json
check "control: without the layers the secret is read" \
	sh -c 'test "$rc" -eq 1 && grep -q "^read: ESCAPED" "$T/out"'
mkspec ctl.json "[\"$E\", \"connect\", \"$PORT\"]" \
	'.isolation.disable = ["namespaces", "landlock", "seccomp"]'
run exec_cmd "$MCP_EXEC" -q ctl.json
check "control: without the layers the host's listener is reached" \
	sh -c 'test "$rc" -eq 1 && grep -q "^connect: ESCAPED" "$T/out"'
mkspec ctl.json "[\"$E\", \"keyctl\"]" \
	'.isolation.disable = ["namespaces", "landlock", "seccomp"]'
run exec_cmd "$MCP_EXEC" -q ctl.json
check "control: without the layers keyctl works" \
	sh -c 'test "$rc" -eq 1 && grep -q "^keyctl: ESCAPED" "$T/out"'

cleanup4011
done_testing
