#!/bin/sh
# t4014: network mode allowlist, as root and as an unprivileged user: the
# run has its own network namespace; the allowlisted name resolves (DNS
# stub and /etc/hosts) to a loopback address where mcp-exec's relay
# carries the connection to the host's destination, for plain connect(),
# python urllib and node's fetch, none of them using a proxy; another
# port, another name, the host's address are refused; a name that is not
# allowlisted never reaches a resolver; one record per connection and
# per refused query.  Transport http: the server's port is reachable from
# the host's loopback only.  Loopback only: the "outside" is a server on
# the host's 127.0.0.1, reached by the name localhost.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

PYTHON=${PYTHON3:-no}
node=${NODE:-no}
SPID= OPID= BPID=
cleanup4014() {
	[ -z "$SPID" ] || kill "$SPID" 2>/dev/null
	[ -z "$OPID" ] || kill "$OPID" 2>/dev/null
	[ -z "$BPID" ] || kill "$BPID" 2>/dev/null
	SPID= OPID= BPID=
}
CLEANUP_HOOK=cleanup4014
trap 'cleanup4014; _cleanup' EXIT

if [ "$PYTHON" = no ]; then
	skip "python3 not found: no probe, no host server"
	done_testing
	exit
fi
if ! exec_cmd "$MCP_EXEC" --probe --json 2>/dev/null |
	jq -e '(.namespaces.mount | startswith("yes")) and .seccomp == "yes"' >/dev/null; then
	skip_strict "mount namespaces or seccomp not available here"
	done_testing
	exit
fi

W=$T/w
mkdir -p "$W"
chmod 777 "$W"
cat >"$W/netprobe.py" <<'PY'
# netprobe.py PORT OTHER SECRET [CLOSED]: run under mcp-exec with network
# mode allowlist ["localhost:PORT"] (and "localhost:CLOSED", a port where
# nothing listens on the host); tries each way to the host's network and
# prints one line per attempt (t4014).
import errno
import os
import socket
import struct
import sys
import urllib.request

port, other, secret = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
closed = int(sys.argv[4]) if len(sys.argv) > 4 else 0


def err(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if isinstance(e, OSError) and e.errno else type(e).__name__


# Plain connect() to the allowlisted name, HTTP by hand.
try:
    with socket.create_connection(("localhost", port), 10) as s:
        s.sendall(b"GET /plain HTTP/1.0\r\nHost: localhost\r\n\r\n")
        s.shutdown(socket.SHUT_WR)  # half-close: the reply still comes
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
    print("plain:", "ok" if b"hello-from-host" in data else "bad")
except OSError as e:
    print("plain: failed", err(e))

# urllib, no proxy variables in the environment.
try:
    assert not any(k.lower().endswith("_proxy") for k in os.environ)
    body = urllib.request.urlopen("http://localhost:%d/urllib" % port, timeout=10).read()
    print("urllib:", "ok" if b"hello-from-host" in body else "bad")
except Exception as e:
    print("urllib: failed", err(e))

# A name that is not allowlisted: no answer.
try:
    socket.getaddrinfo(secret, 80)
    print("secret: resolved")
except socket.gaierror:
    print("secret: not resolved")

# The allowlisted host, another port.
try:
    socket.create_connection(("localhost", other), 5).close()
    print("other port: connected")
except OSError as e:
    print("other port: refused", err(e))

# The host's loopback by address, not through the stub.
try:
    socket.create_connection(("127.0.0.1", port), 5).close()
    print("raw address: connected")
except OSError as e:
    print("raw address: refused", err(e))


# Allowlisted, but nothing listens there on the host: the relay accepts,
# fails to connect and closes.
if closed:
    try:
        with socket.create_connection(("localhost", closed), 10) as s:
            s.settimeout(15)
            print("closed:", "eof" if s.recv(10) == b"" else "data")
    except OSError as e:
        print("closed:", err(e))


# The stub itself, asked directly (a client that ignores /etc/hosts).
def query(labels, qtype):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for l in labels:
        q += bytes([len(l)]) + l
    q += b"\0" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    try:
        s.sendto(q, ("127.0.0.1", 53))
        a = s.recv(600)
    except OSError as e:
        return "no answer " + err(e)
    finally:
        s.close()
    rcode, an = a[3] & 15, struct.unpack(">H", a[6:8])[0]
    out = "rcode=%d answers=%d" % (rcode, an)
    if an:
        out += " " + socket.inet_ntoa(a[-4:])
    return out


print("stub A:", query([b"LocalHost"], 1))
print("stub AAAA:", query([b"localhost"], 28))
print("stub secret:", query([l.encode() for l in secret.split(".")], 1))
print("stub odd:", query([b"a\x01b", b"x.y"], 1))
PY
chmod 644 "$W/netprobe.py"

# The destination on the host's loopback: answers every GET, logs it.
"$PYTHON" -c '
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b"hello-from-host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
        with open(sys.argv[1], "a") as f:
            f.write(self.path + "\n")
    def log_message(self, *a):
        pass
socketserver.TCPServer.allow_reuse_address = True
s = socketserver.TCPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 1
for _ in range(180):
    s.handle_request()
' "$T/hits" >"$T/port" 2>"$T/srv.err" &
SPID=$!
# Another listener on the host, on a port the spec does not allow.
"$PYTHON" -c '
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(180)
' >"$T/oport" &
OPID=$!
i=0
while { [ ! -s "$T/port" ] || [ ! -s "$T/oport" ]; } && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
P=$(cat "$T/port")
O=$(cat "$T/oport")
if [ -z "$P" ] || [ -z "$O" ]; then
	not_ok "the host's test servers started"
	done_testing
	exit
fi
SECRET=k3y-$$-7f1d.evil.example

# netspec FILE ARGV-JSON [JQ]: mode allowlist, localhost:$P only.
netspec() {
	mkspec "$1" "$2" ".network = {mode: \"allowlist\", allow: [\"localhost:$P\"]} | .filesystem = [{path: \"$W\", access: \"rw\"}] | .process.cwd = \"$W\" | ${3:-.}"
	chmod 644 "$1"
}
# A port where nothing listens on the host (bound, never listening).
C=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
netspec probe.json "[\"$PYTHON\", \"$W/netprobe.py\", \"$P\", \"$O\", \"$SECRET\", \"$C\"]" \
	".network.allow += [\"localhost:$C\"]"

probe() {
	_who=$1
	shift
	: >"$T/hits"
	rm -f "$W/rec.$_who"
	run "$@" "$MCP_EXEC" -q --records "$W/rec.$_who" "$T/probe.json"
	check "$_who: the probe runs (exit $rc)" test "$rc" -eq 0
	check "$_who: plain connect() to localhost:$P through the relay" grep -qx 'plain: ok' "$T/out"
	check "$_who: urllib without proxy variables" grep -qx 'urllib: ok' "$T/out"
	check "$_who: the host's server got both requests" \
		sh -c 'test "$(sort "$T/hits" | tr "\n" " ")" = "/plain /urllib "'
	check "$_who: a name not allowlisted does not resolve" grep -qx 'secret: not resolved' "$T/out"
	check "$_who: another port of the allowed host is refused" grep -Eqx 'other port: refused (EACCES|ECONNREFUSED)' "$T/out"
	check "$_who: the host's loopback by address is unreachable" grep -Eqx 'raw address: refused (EACCES|ECONNREFUSED)' "$T/out"
	check "$_who: the stub answers the name with its loopback address" grep -qx 'stub A: rcode=0 answers=1 127.0.0.2' "$T/out"
	check "$_who: ... and no AAAA" grep -qx 'stub AAAA: rcode=0 answers=0' "$T/out"
	check "$_who: ... NXDOMAIN for another name" grep -qx 'stub secret: rcode=3 answers=0' "$T/out"
	check "$_who: ... and for a name with odd bytes" grep -qx 'stub odd: rcode=3 answers=0' "$T/out"
	cp "$W/rec.$_who" "$T/rec"
	rec_check '.[0].layers.namespaces == "applied" and .[-1].event == "end"' \
		"$_who: namespaces applied (own network namespace)"
	rec_check "[.[] | select(.event == \"connection\" and .port == $P)] | length == 2 and
		all(.host == \"localhost\" and .port == $P and .outcome == \"allowed\" and
		    .address == \"127.0.0.1\" and .bytes_out > 0 and .bytes_in > 0)" \
		"$_who: one record per connection, allowed, with byte counts"
	rec_check "[.[] | select(.event == \"dns\" and .outcome == \"refused\") | .name] |
		index(\"$SECRET\") != null and index(\"a\\\\x01b.x.y\") != null" \
		"$_who: refused queries are recorded, the name escaped"
	rec_check "all(.[]; .port != $O)" "$_who: nothing was carried to the other port"
	check "$_who: an allowlisted destination that refuses: the relay closes" grep -Eqx 'closed: (eof|ECONNRESET)' "$T/out"
	rec_check "[.[] | select(.event == \"connection\" and .port == $C)] |
		length == 1 and .[0].outcome == \"failed\" and
		(.[0].error | startswith(\"connect: \"))" \
		"$_who: ... recorded as failed, with the error"
}

probe root exec_cmd
if setup_as_user; then
	probe user as_user
fi

# The network namespace alone, without Landlock: still refused.
netspec nold.json "[\"$PYTHON\", \"$W/netprobe.py\", \"$P\", \"$O\", \"$SECRET\"]" \
	'.isolation = {disable: ["landlock"]}'
run exec_cmd "$MCP_EXEC" -q "$T/nold.json"
check "without Landlock: the relay still works (exit $rc)" grep -qx 'plain: ok' "$T/out"
check "without Landlock: another port is refused by the namespace" grep -qx 'other port: refused ECONNREFUSED' "$T/out"
check "without Landlock: the host's address is refused by the namespace" grep -qx 'raw address: refused ECONNREFUSED' "$T/out"

# Node's built-in fetch, no proxy.
if [ "$node" = no ]; then
	skip "node not found"
else
	netspec node.json "[\"$node\", \"-e\", \"fetch('http://localhost:$P/node').then(r => r.text()).then(t => console.log('node: ' + t.trim())).catch(e => { console.log('node: failed', String(e.cause || e)); process.exit(3); })\"]"
	: >"$T/hits"
	run exec_cmd "$MCP_EXEC" -q "$T/node.json"
	check "node's fetch reaches localhost:$P (exit $rc)" \
		sh -c 'grep -qx "node: hello-from-host" "$T/out" && grep -qx /node "$T/hits"'
fi

# No upstream look-up for the name that is not allowlisted: mcp-exec
# (the only process outside the namespace) sends nothing to port 53.
if ! is_root || ! command -v strace >/dev/null 2>&1; then
	skip "strace (as root) not available: upstream look-ups not traced"
else
	: >"$T/hits"
	run exec_cmd strace -qq -xx -s 512 -o "$T/trace" \
		-e trace=connect,sendto,sendmsg,sendmmsg "$MCP_EXEC" -q "$T/probe.json"
	check "traced: the probe ran (exit $rc)" grep -qx 'secret: not resolved' "$T/out"
	check "traced: mcp-exec sent nothing to a port 53" \
		sh -c 'grep -q "^sendto" "$T/trace" && ! grep -q "htons(53)" "$T/trace"'
	# "evil" in hex: the name is only ever in the stub's answers (header
	# flags 0x85 0x03: a response, NXDOMAIN) sent back into the namespace.
	check "traced: the secret name left mcp-exec only in NXDOMAIN answers" \
		sh -c 'grep -q "\\\\x65\\\\x76\\\\x69\\\\x6c" "$T/trace" &&
			! grep "\\\\x65\\\\x76\\\\x69\\\\x6c" "$T/trace" |
			grep -Ev "^sendto\([0-9]+, \"\\\\x..\\\\x..\\\\x85\\\\x03"'
fi

# transport http: the server's port, in its namespace, is reachable from
# the host's loopback (mcp-exec listens there and relays) and nowhere else.
H=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$W/httpd.py" <<PY
import http.server, socketserver
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b"inside-the-run\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
socketserver.TCPServer.allow_reuse_address = True
s = socketserver.TCPServer(("0.0.0.0", $H), H)
s.timeout = 30
s.handle_request()
PY
chmod 644 "$W/httpd.py"
# get_http: the host's client, retrying for at most 30 s while the
# server starts.
get_http() {
	"$PYTHON" -c '
import sys, time, urllib.request
for _ in range(150):
    try:
        print(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=5).read().decode().strip())
        break
    except Exception:
        time.sleep(0.2)
' "$H"
}
for mode in none allowlist; do
	netspec "http-$mode.json" "[\"$PYTHON\", \"$W/httpd.py\"]" \
		".transport = {type: \"http\", port: $H} | .network.mode = \"$mode\""
	for who in root user; do
		if [ "$who" = user ]; then
			command -v as_user >/dev/null 2>&1 || continue
			runner=as_user
		else
			runner=exec_cmd
		fi
		rm -f "$W/rec.http"
		$runner "$MCP_EXEC" -q --records "$W/rec.http" "$T/http-$mode.json" >"$T/http.out" 2>"$T/http.err" &
		hpid=$!
		got=$(get_http)
		wait "$hpid"
		hrc=$?
		check "http, network $mode, $who: the host's loopback reaches the server (exit $hrc)" \
			test "$got" = inside-the-run -a "$hrc" -eq 0
		cp "$W/rec.http" "$T/rec"
		rec_check "[.[] | select(.event == \"connection\" and .outcome == \"allowed\")] |
			length == 1 and .[0].direction == \"inbound\" and .[0].port == $H and
			.[0].bytes_in > 0 and .[0].bytes_out > 0" \
			"http, network $mode, $who: the connection is recorded"
	done
done
# Only the loopback: not the host's other addresses.
A=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.' | grep -v '^127\.' | head -n 1)
if [ -z "$A" ]; then
	skip "no non-loopback IPv4 address on this host"
else
	exec_cmd "$MCP_EXEC" -q "$T/http-none.json" >/dev/null 2>&1 &
	hpid=$!
	got=$(get_http)
	run "$PYTHON" -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 5)' "$A" "$H"
	check "http: the port is not reachable on $A" test "$rc" -ne 0 -a "$got" = inside-the-run
	wait "$hpid"
fi
# The port taken on the host: the run is refused before the server starts.
"$PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
print("up", flush=True)
time.sleep(60)
' "$H" >"$T/busy" &
BPID=$!
i=0
while [ ! -s "$T/busy" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_fail 125 "transport: listen on 127\.0\.0\.1:$H: Address already in use" \
	"http: a port taken on the host refuses the run" \
	exec_cmd "$MCP_EXEC" -q "$T/http-none.json"
kill "$BPID" 2>/dev/null
BPID=

# The spec: names only in mode allowlist.
for e in '*.example.com:443' '10.0.0.1:443' 'a..b:80'; do
	mkspec bad.json '["/bin/true"]' ".network = {mode: \"allowlist\", allow: [\"$e\"]}"
	expect_fail 2 'network\.allow\[0\]: with network mode allowlist, the host must be a DNS name' \
		"allow entry $e is refused in mode allowlist" exec_cmd "$MCP_EXEC" bad.json
done

cleanup4014
done_testing
