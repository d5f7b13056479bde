#!/bin/sh
# t9503: clients that go away.  A client that closes the server's stdin in
# the middle of a request, and a client killed with SIGKILL: mcp-run (that
# is, mcp-exec) ends, the server and everything in its cgroup are gone,
# and the end record reaches the audit log, saying what the client did.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"
. "$top_srcdir/tests/e2e/sdk-lib.sh"
need_sdk
[ "${PYTHON3:-no}" != no ] || { skip_strict "python3 is not installed"; done_testing; exit; }

mem_ver=$(jq -r '.packages["node_modules/@modelcontextprotocol/server-memory"].version' \
	"$NPM_DIR/memory/package-lock.json")
expect_ok "mcp-pack: server-memory $mem_ver" "$MCP_PACK" --registry "$T/reg" \
	--command node \
	--arg node_modules/@modelcontextprotocol/server-memory/dist/index.js \
	--max-fds 1024 --max-memory 512M "npm/server-memory@$mem_ver" \
	"$NPM_DIR/memory"

# wait_gone PID: up to 15 s for PID to be gone.
wait_gone() {
	_i=0
	while [ $_i -lt 300 ] && alive "$1"; do
		sleep 0.05
		_i=$((_i + 1))
	done
	! alive "$1"
}

# --- a client that closes stdin mid-request ------------------------------
# half-close REGISTRY REF LOG: initialize, then half a tools/call line and
# end of file; prints the exit status and the seconds it took.
half_close() {
	timeout --preserve-status -s KILL 60 "$PYTHON3" - "$MCP_RUN" "$@" <<'PY'
import json, subprocess, sys, time
run, reg, ref, log = sys.argv[1:5]
p = subprocess.Popen([run, "--registry", reg, "--cache-dir", log + ".cache",
                      "--audit-log", log, ref],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {},
               "clientInfo": {"name": "half-close", "version": "1"}}}).encode() + b"\n")
p.stdin.flush()
reply = json.loads(p.stdout.readline())
assert reply["id"] == 1 and "result" in reply, reply
p.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'
              b'{"jsonrpc":"2.0","id":2,"method":"tools/call","par')
p.stdin.flush()
t0 = time.monotonic()
p.stdin.close()
rest = p.stdout.read()
status = p.wait(timeout=30)
print(status, round(time.monotonic() - t0, 1))
PY
}
for ref in examples/echo-python@1.1.0 "npm/server-memory@$mem_ver"; do
	name=${ref%@*}
	name=${name#*/}
	case $ref in examples/*) reg=$REGISTRY ;; *) reg=$T/reg ;; esac
	out=$(half_close "$reg" "$ref" "$T/$name.log")
	st=${out% *}
	secs=${out#* }
	check "$name, stdin closed mid-request: the run ended (status '$st')" \
		test -n "$st"
	check "$name, stdin closed mid-request: within hang-up grace + grace (${secs:-?} s < 12 s)" \
		sh -c "[ -n '$secs' ] && awk 'BEGIN { exit !($secs < 12) }'"
	check "$name: the end record reached the log" wait_end "$T/$name.log" 1
	audit_check "$name: outcome success or error, never a hang" "$T/$name.log" \
		'[.[] | .record | select(.event == "end")][0] |
		 .outcome == "success" or .outcome == "error"'
done

# --- a client killed with SIGKILL ----------------------------------------
# Not under timeout(1): the client itself must be the process killed (its
# own watchdog bounds it to 60 s).
log=$T/kill.log
"$NODE" "$SDK_CLIENT" "$NPM_DIR/client" \
	hold -- "$MCP_RUN" --registry "$T/reg" --cache-dir "$T/cache" \
	--audit-log "$log" "npm/server-memory@$mem_ver" >"$T/hold.json" 2>"$T/hold.err" &
client=$!
i=0
while [ $i -lt 600 ] && ! grep -q '"pid":[0-9]' "$T/hold.json" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
xpid=$(jq -r .pid "$T/hold.json" 2>/dev/null)
check "SIGKILL: the client's session is up (mcp-exec is pid ${xpid:-?})" \
	test -n "$xpid" -a "$xpid" != null
check "SIGKILL: the start record is in the log" sh -c "
	i=0; while [ \$i -lt 300 ]; do
		jq -e -s 'map(select(.record.event == \"start\")) | length == 1' '$log' >/dev/null 2>&1 && exit 0
		sleep 0.1; i=\$((i + 1)); done; exit 1"
cgs=$(jq -r -s '.[] | .record | select(.event == "start") | .cgroup // {} | .[] | select(. != null)' "$log" 2>/dev/null)
spid=$(jq -r -s '.[] | .record | select(.event == "start") | .pid' "$log" 2>/dev/null)
procs=
for cg in $cgs; do
	[ -f "$cg/cgroup.procs" ] && procs="$procs $(cat "$cg/cgroup.procs")"
done
check "SIGKILL: the server's processes are in its cgroup ($(echo $procs | wc -w))" \
	test -n "$procs"
kill -KILL "$client"
wait "$client" 2>/dev/null
if [ -n "$xpid" ] && [ "$xpid" != null ]; then
	check "SIGKILL: mcp-exec is gone" wait_gone "$xpid"
fi
check "SIGKILL: the server (pid ${spid:-?}) is gone" wait_gone "${spid:-0}"
left=
for p in $procs; do
	alive "$p" && left="$left $p"
done
check "SIGKILL: nothing of the run is left (${left:-none})" test -z "$left"
gone=1
for cg in $cgs; do
	[ -d "$cg" ] && gone=0
done
check "SIGKILL: the run's cgroups are removed" test "$gone" -eq 1
check "SIGKILL: the end record reached the log" wait_end "$log" 1
audit_check "SIGKILL: the end record says the client hung up" "$log" \
	'[.[] | .record | select(.event == "end")][0] | .hangup != null'
expect_ok "SIGKILL: the audit log verifies" "$MCP_AUDIT" verify --log "$log"
done_testing
