#!/bin/sh
# mcp-exec: a client that closes the server's stdin, stops reading its
# stdout, or dies, never leaves the server (or what it started) running.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

now_ms() {
	date +%s%3N
}

# wait_gone PID: up to 10 s for PID to be gone; true if it is.
wait_gone() {
	_i=0
	while [ $_i -lt 200 ] && alive "$1"; do
		sleep 0.05
		_i=$((_i + 1))
	done
	! alive "$1"
}

# 1. stdin closed, and the server exits on end of file by itself.
mkspec eof.json '["/bin/sh", "-c", "cat; sleep 0.3"]'
rm -f rec
printf 'hello\n' | exec_cmd "$MCP_EXEC" -q --records rec eof.json >out 2>err
rc=$?
check "EOF, server exits: status 0" test "$rc" -eq 0
check "EOF, server exits: its output came through" grep -qx hello out
rec_check '.[1] | .outcome == "success" and .hangup == "stdin" and
	.signal == null' "EOF, server exits: outcome success, hangup stdin"

# 2. stdin closed, the server ignores it: TERM after the hang-up grace.
mkspec deaf.json '["/bin/sh", "-c", "cat >/dev/null; echo eof; exec sleep 30"]'
rm -f rec
t0=$(now_ms)
printf 'x\n' | exec_cmd "$MCP_EXEC" -q --hangup-grace 1 --records rec \
	deaf.json >out 2>err
rc=$?
t1=$(now_ms)
check "EOF ignored: status 143" test "$rc" -eq 143
check "EOF ignored: it saw the end of file" grep -qx eof out
check "EOF ignored: TERM after the 1 s hang-up grace (>= 0.9 s, < 10 s)" \
	test $((t1 - t0)) -ge 900 -a $((t1 - t0)) -lt 10000
rec_check '.[1] | .outcome == "error" and .hangup == "stdin" and
	.signal == 15 and .exit_code == 143' \
	"EOF ignored: outcome error, hangup stdin, signal 15"

# 3. ... and ignores SIGTERM too: KILL after the grace.
mkspec ign.json "[\"$MCP_TEST_BIN/termignore\"]"
rm -f rec
t0=$(now_ms)
: | exec_cmd "$MCP_EXEC" -q --hangup-grace 1 --grace 1 --records rec \
	ign.json >out 2>err
rc=$?
t1=$(now_ms)
check "EOF and TERM ignored: status 137" test "$rc" -eq 137
check "EOF and TERM ignored: hang-up grace + grace (>= 1.9 s, < 10 s)" \
	test $((t1 - t0)) -ge 1900 -a $((t1 - t0)) -lt 10000
rec_check '.[1] | .outcome == "error" and .hangup == "stdin" and
	.signal == 9' "EOF and TERM ignored: outcome error, signal 9"

# 4. --hangup-grace 0: TERM at once.
rm -f rec
t0=$(now_ms)
: | exec_cmd "$MCP_EXEC" -q --hangup-grace 0 --records rec deaf.json \
	>out 2>err
rc=$?
t1=$(now_ms)
check "hang-up grace 0: status 143" test "$rc" -eq 143
check "hang-up grace 0: well before the 5 s default (< 4 s)" \
	test $((t1 - t0)) -lt 4000

# 5. Nobody reads stdout any more: TERM at once, whatever stdin is.
mkspec sleep.json '["/bin/sh", "-c", "exec sleep 30"]'
rm -f rec
t0=$(now_ms)
exec_cmd "$MCP_EXEC" -q --records rec sleep.json </dev/null 2>err | true
t1=$(now_ms)
check "stdout reader gone: stopped before the 5 s hang-up grace (< 4 s)" \
	test $((t1 - t0)) -lt 4000
rec_check '.[1] | .outcome == "error" and .hangup == "stdout" and
	.signal == 15' "stdout reader gone: outcome error, hangup stdout"

# 6. stdin from /dev/null or a file is not a hang-up.
mkspec quiet.json '["/bin/sh", "-c", "sleep 1.2; echo done"]'
rm -f rec
exec_cmd "$MCP_EXEC" -q --hangup-grace 0 --records rec quiet.json \
	</dev/null >out 2>err
rc=$?
check "/dev/null stdin: the server ran to its end" grep -qx done out
rec_check '.[1] | .outcome == "success" and .hangup == null' \
	"/dev/null stdin: outcome success, no hangup"

if command -v python3 >/dev/null 2>&1; then
	# 7. A socket, as node's child_process gives: the client shuts down
	# its writing side.
	rm -f rec
	exec_cmd python3 - "$MCP_EXEC" "$T/deaf.json" "$T/rec" >out 2>err <<'EOF'
import socket, subprocess, sys
a, b = socket.socketpair()
p = subprocess.Popen([sys.argv[1], "-q", "--hangup-grace", "1",
                      "--records", sys.argv[3], sys.argv[2]],
                     stdin=b, stdout=b)
b.close()
a.sendall(b"x\n")
a.shutdown(socket.SHUT_WR)
print("status", p.wait(timeout=20))
EOF
	check "socket shut down: status 143" grep -qx 'status 143' out
	rec_check '.[1] | .hangup == "stdin" and .signal == 15' \
		"socket shut down: hangup stdin, signal 15"

	# 8. The client is killed (SIGKILL): the server and the daemon it
	# started are gone.  Without a pid namespace, so that the daemon's
	# pid is the host's.
	mkspec dmn.json "[\"/bin/sh\", \"-c\", \"$MCP_TEST_BIN/daemonize $T/d.pid; exec sleep 30\"]" \
		'.isolation.disable = ["namespaces"]'
	: >d.pid
	chmod 666 d.pid
	rm -f rec
	python3 - "$MCP_EXEC" "$T/dmn.json" "$T/rec" "$T/d.pid" >out 2>err <<'EOF' &
import os, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "-q", "--records", sys.argv[3],
                      sys.argv[2]], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE)
print(p.pid, flush=True)
for _ in range(200):
    if os.path.getsize(sys.argv[4]) > 0:
        break
    time.sleep(0.05)
print("daemon", flush=True)
time.sleep(60)
EOF
	client=$!
	i=0
	while [ $i -lt 200 ] && ! grep -qx daemon out 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	epid=$(head -n 1 out)
	dpid=$(cat d.pid)
	check "client killed: mcp-exec ($epid) and the daemon ($dpid) started" \
		test -n "$epid" -a -n "$dpid"
	kill -KILL "$client"
	wait "$client" 2>/dev/null
	if [ -n "$epid" ] && [ -n "$dpid" ]; then
		check "client killed: mcp-exec is gone" wait_gone "$epid"
		check "client killed: the daemon is gone" wait_gone "$dpid"
		rec_check '.[1] | .hangup == "stdout" and .signal == 15' \
			"client killed: hangup stdout, the server stopped"
	fi
else
	skip "python3 not available for the socket and client-kill tests"
fi
done_testing
