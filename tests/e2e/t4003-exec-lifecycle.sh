#!/bin/sh
# mcp-exec: timeout, grace, signal forwarding, and nothing left behind.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

now_ms() {
	date +%s%3N
}

# A server that ignores SIGTERM: timeout, then SIGKILL after --grace.
mkspec ign.json "[\"$MCP_TEST_BIN/termignore\"]" '.limits.timeout_ms = 500'
t0=$(now_ms)
run exec_cmd "$MCP_EXEC" -q --grace 1 --records rec ign.json
t1=$(now_ms)
check "TERM-ignorer: exit 124" test "$rc" -eq 124
check "TERM-ignorer: its output came through" grep -qx ready "$T/out"
check "TERM-ignorer: killed after timeout + grace (>= 1.4 s, < 10 s)" \
	test $((t1 - t0)) -ge 1400 -a $((t1 - t0)) -lt 10000
rec_check '.[1] | .outcome == "timeout" and .exit_code == 124 and
	.signal == 9' "TERM-ignorer: end record timeout, signal 9"
rec_check '.[0].limits.grace_ms == 1000' "TERM-ignorer: grace recorded"

# A CPU burner past its timeout; SIGTERM is enough.
mkspec burn.json "[\"$MCP_TEST_BIN/cpuburn\"]" '.limits.timeout_ms = 600'
rm -f rec
run exec_cmd "$MCP_EXEC" -q --records rec burn.json
check "CPU burner: exit 124" test "$rc" -eq 124
rec_check '.[1] | .outcome == "timeout" and .signal == 15 and
	.cpu_ms.user > 0 and .duration_ms >= 600' \
	"CPU burner: TERM after the timeout, CPU used"

# Signal forwarding: TERM to mcp-exec reaches the server's trap.  (In the
# background, not under exec_cmd, so that $! is mcp-exec; the spec's own
# timeout bounds it.)
wait_up() {
	i=0
	while [ $i -lt 200 ] && ! grep -q up out 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
}
mkspec trap.json '["/bin/sh", "-c",
	"trap \"echo got-term; exit 42\" TERM; echo up; while :; do sleep 0.05; done"]' \
	'.limits.timeout_ms = 20000'
rm -f rec out
"$MCP_EXEC" -q --records rec trap.json >out 2>err </dev/null &
pid=$!
wait_up
kill -TERM "$pid"
wait "$pid"
rc=$?
check "TERM forwarded: the server's trap ran" grep -qx got-term out
check "TERM forwarded: its exit status 42" test "$rc" -eq 42
rec_check '.[1].outcome == "error" and .[1].exit_code == 42' \
	"TERM forwarded: recorded"

# Forwarded HUP to a server that dies of it: 129, outcome killed.  (INT
# and QUIT are ignored by background jobs of a non-interactive shell, and
# an ignored signal is not forwarded: the caller chose to ignore it.)
mkspec sleep.json '["/bin/sh", "-c", "echo up; exec sleep 30"]' \
	'.limits.timeout_ms = 20000'
rm -f rec out
"$MCP_EXEC" -q --records rec sleep.json >out 2>err </dev/null &
pid=$!
wait_up
kill -HUP "$pid"
wait "$pid"
rc=$?
check "HUP forwarded: exit 129" test "$rc" -eq 129
rec_check '.[1].outcome == "killed" and .[1].signal == 1' \
	"HUP forwarded: outcome killed"

# INT with its default disposition (set by python3, since a background
# job of sh ignores it): forwarded, the server dies of it, 130.
if command -v python3 >/dev/null 2>&1; then
	rm -f rec out
	python3 - "$MCP_EXEC" sleep.json <<'PY' >pyout 2>&1
import os, signal, subprocess, sys, time
signal.signal(signal.SIGINT, signal.SIG_DFL)
p = subprocess.Popen([sys.argv[1], "-q", "--records", "rec", sys.argv[2]],
                     stdin=subprocess.DEVNULL, stdout=open("out", "w"))
for _ in range(200):
    if "up" in open("out").read():
        break
    time.sleep(0.05)
p.send_signal(signal.SIGINT)
print(p.wait(timeout=60))
PY
	check "INT forwarded: exit 130" grep -qx 130 pyout
	rec_check '.[1].outcome == "killed" and .[1].signal == 2' \
		"INT forwarded: outcome killed"
else
	skip "python3 not available for the SIGINT test"
fi

# A double-forked, setsid'd daemon does not outlive the run.  Without a
# pid namespace, so that its pid is the host's (t4011 has the namespace).
mkspec dmn.json "[\"$MCP_TEST_BIN/daemonize\", \"$T/daemon.pid\"]" \
	'.isolation.disable = ["namespaces"]'
touch daemon.pid
chmod 666 daemon.pid
rm -f rec
: >daemon.pid
run exec_cmd "$MCP_EXEC" -q --records rec dmn.json
check "daemon: the server exited 0" test "$rc" -eq 0
dpid=$(cat daemon.pid)
check "daemon: it started (pid $dpid)" test -n "$dpid"
if [ -n "$dpid" ]; then
	check "daemon: gone after the run" sh -c "! { . '$top_srcdir/tests/e2e/exec-lib.sh'; alive $dpid; }"
fi

# The same daemon when the run times out.
mkspec dmn2.json '["/bin/sh", "-c", "'"$MCP_TEST_BIN"'/daemonize '"$T"'/d2.pid; exec sleep 30"]' \
	'.limits.timeout_ms = 500 | .isolation.disable = ["namespaces"]'
: >d2.pid
chmod 666 d2.pid
run exec_cmd "$MCP_EXEC" -q --grace 1 dmn2.json
check "daemon on timeout: exit 124" test "$rc" -eq 124
dpid=$(cat d2.pid)
if [ -n "$dpid" ]; then
	check "daemon on timeout: gone" sh -c "! { . '$top_srcdir/tests/e2e/exec-lib.sh'; alive $dpid; }"
else
	not_ok "daemon on timeout: no pid written"
fi
done_testing
