#!/bin/sh
# t5008: --syslog sends every appended line (facility authpriv, priority
# info) and a tampering alert (priority alert) to syslog(3), redacted like
# the log.  A private mount namespace gets its own /dev/log, read by a
# small listener, so the host's syslog sees nothing.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "syslog: needs root for a private /dev"
	done_testing
	exit
fi
if ! unshare -m true 2>/dev/null; then
	skip_strict "syslog: unshare -m is not available here"
	done_testing
	exit
fi

CANARY=canary-syslog-7a1f0c2e
export CANARY
printf '{"kind":"mcp.exec/v1","event":"start","package":"org/pkg","argv":["--token=%s"]}\n' "$CANARY" >in.jsonl
printf '{"kind":"mcp.exec/v1","event":"end","package":"org/pkg","outcome":"success"}\n' >>in.jsonl

cat >listen.py <<'PY'
import os, socket, sys, time
path, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
open(out + ".ready", "w").close()
s.settimeout(0.5)
got, deadline = [], time.time() + 20
while len(got) < want and time.time() < deadline:
    try:
        got.append(s.recv(65536).decode("utf-8", "replace"))
    except socket.timeout:
        pass
with open(out, "w") as f:
    for m in got:
        f.write(m.replace("\n", " ") + "\n")
PY

timeout 60 unshare -m sh -c '
	set -u
	A=$1 T=$2
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs -o mode=0755 tmpfs /dev || exit 3
	mknod -m 666 /dev/null c 1 3 || exit 3
	python3 "$T/listen.py" /dev/log "$T/syslog.out" 4 &
	lp=$!
	i=0
	while [ ! -e "$T/syslog.out.ready" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	"$A" append --syslog --secret CANARY --log "$T/s.log" "$T/in.jsonl" 2>"$T/a.err"; echo $? >"$T/a.rc"
	"$A" rotate --syslog --log "$T/s.log" >/dev/null 2>"$T/r.err"; echo $? >"$T/r.rc"
	sed -i "1s/org\/pkg/org\/pkh/" "$T/s.log.1"
	"$A" verify --syslog --series --log "$T/s.log" >/dev/null 2>"$T/v.err"; echo $? >"$T/v.rc"
	wait $lp
	exit 0
' sh "$A" "$T"
ns=$?
if [ "$ns" -eq 3 ]; then
	skip_strict "syslog: cannot mount a private /dev"
	done_testing
	exit
fi
check "the namespace ran" test "$ns" -eq 0
check "append --syslog exit 0" test "$(cat a.rc)" -eq 0
check "rotate --syslog exit 0" test "$(cat r.rc)" -eq 0
check "verify --syslog found the edit (exit 4)" test "$(cat v.rc)" -eq 4
check "four messages reached syslog" test "$(wc -l <syslog.out)" -eq 4
check "records go to authpriv.info (<86>)" test "$(grep -c '^<86>' syslog.out)" -eq 3
check "tampering goes to authpriv.alert (<81>)" grep -q '^<81>.*mcp-audit\[[0-9]*\]: .*s.log: audit log does not verify' syslog.out
# Line 2 of the rotated file was not edited.
check "the message is the log line itself" grep -qF "mcp-audit[" syslog.out
check "... whole" grep -qF "$(sed -n 2p s.log.1)" syslog.out
check "the canary never reached syslog" sh -c "! grep -q '$CANARY' syslog.out"
check "the canary is redacted in syslog too" grep -q -- '--token=\[REDACTED\]' syslog.out
check "the host's /dev/log was not touched" test ! -e /dev/log

# audit.syslog in a configuration file does what --syslog does, and the
# configuration's audit.redact patterns hold in syslog too.
printf 'audit:\n  syslog: true\n  redact: ["*_PIN"]\n' >syslog.yaml
printf '{"kind":"mcp.exec/v1","event":"start","package":"org/pkg","CARD_PIN":"4711-secret"}\n' >pin.jsonl
timeout 60 unshare -m sh -c '
	set -u
	A=$1 T=$2
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs -o mode=0755 tmpfs /dev || exit 3
	mknod -m 666 /dev/null c 1 3 || exit 3
	python3 "$T/listen.py" /dev/log "$T/syslog2.out" 1 &
	lp=$!
	i=0
	while [ ! -e "$T/syslog2.out.ready" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	"$A" append --config "$T/syslog.yaml" --log "$T/c.log" "$T/pin.jsonl" 2>"$T/c.err"; echo $? >"$T/c.rc"
	wait $lp
	exit 0
' sh "$A" "$T"
ns=$?
check "config audit.syslog: the namespace ran" test "$ns" -eq 0
check "config audit.syslog: append exit 0" test "$(cat c.rc)" -eq 0
check "config audit.syslog: the line reached syslog" \
	test "$(grep -c '^<86>.*mcp-audit\[' syslog2.out)" -eq 1
check "config audit.redact: the value is redacted in syslog" \
	grep -qF '"CARD_PIN":"[REDACTED]"' syslog2.out
# The whole value: 4711 alone can be part of a hash, a time or a pid.
check "config audit.redact: and nowhere in the log" sh -c "! grep -q 4711-secret c.log syslog2.out"

done_testing
