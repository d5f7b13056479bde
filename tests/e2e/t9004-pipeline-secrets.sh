#!/bin/sh
# t9004: a canary secret through the whole pipeline (DESIGN.md invariant 4).
#
# A package built here asks for the environment variable CANARY_TOKEN; a
# policy grants it as a secret; the server (the example echo server behind
# a small wrapper) puts the value on its stderr and into its tool reply,
# and the canary is also passed as a server argument, so that it stands in
# the spec's argv and in the exec start record.  Through mcp-run and
# through the stages by hand: the server gets the value, the client sees
# it, and it is nowhere in the audit log, its anchor, the --records file or
# any stage document; the log verifies; the spec names the secret only by
# name.  Last, an audit log on a read-only file system stops mcp-run
# before the server starts (it would say so on stderr first thing).
. "$top_srcdir/tests/e2e/lib.sh"

client=$top_srcdir/examples/mcp-client.py
py=${PYTHON3:-no}
log=$T/audit.log
pkg=t9004/canary@1.0.0

if [ "$py" = no ]; then
	skip "python3 not found: the canary server and mcp-client.py cannot run"
	done_testing
	exit
fi

# bounded CMD...: a hang fails the test instead of stalling it.
bounded() {
	timeout --preserve-status -s KILL 120 "$@"
}

# jq_ok DESC FILE JQ-ARGS...: jq -e JQ-ARGS holds on FILE.
jq_ok() {
	_jd=$1 _jf=$2
	shift 2
	if jq_true "$_jf" "$@"; then
		ok "$_jd"
	else
		not_ok "$_jd (jq $*)"
		show_output
	fi
}

# wait_for_end LOG N: until LOG holds N end records (30 s at most).
wait_for_end() {
	_i=0
	while [ "$_i" -lt 300 ]; do
		[ "$(jq -c 'select(.record.event == "end")' "$1" 2>/dev/null | wc -l)" -ge "$2" ] &&
			return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# no_canary DESC FILE...: the canary is in none of FILE.
no_canary() {
	_nd=$1
	shift
	if grep -lF -- "$canary" "$@" >"$T/leaks" 2>/dev/null; then
		not_ok "$_nd (found in: $(tr '\n' ' ' <"$T/leaks"))"
	else
		ok "$_nd"
	fi
}

# A fresh random canary, long enough never to occur by chance.
canary=canary-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
CANARY_TOKEN=$canary
export CANARY_TOKEN

# --- the package ----------------------------------------------------------------

# leak.py wraps the example echo server: it writes the secret's value on
# stderr when it starts (also the marker that says it ran at all), adds it
# to every tools/call reply as _meta.canary, and takes --leak=VALUE
# arguments (echoed on stderr) that the echo server would refuse.
mkdir -p "$T/bundle" "$T/reg"
cp "$top_srcdir/examples/servers/echo-python/server.py" "$T/bundle/server.py"
cat >"$T/bundle/leak.py" <<'EOF'
#!/usr/bin/python3
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server  # noqa: E402

secret = os.environ.get("CANARY_TOKEN", "")
args = [a for a in sys.argv[1:] if not a.startswith("--leak=")]
leaked = [a[len("--leak="):] for a in sys.argv[1:] if a.startswith("--leak=")]
sys.stderr.write("leak.py: started, CANARY_TOKEN=%s, argv leaks %s\n"
                 % (secret, leaked))
sys.stderr.flush()
echo = server.METHODS["tools/call"]


def call(params, state):
    res = echo(params, state)
    res["_meta"] = {"canary": secret}
    return res


server.METHODS["tools/call"] = call
sys.exit(server.main([sys.argv[0]] + args))
EOF

# A directory registry with that one package (mcp-documents(5)).
"$py" - "$T/bundle" "$T/reg" "$pkg" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile

src, reg, ref = sys.argv[1:4]
package, version = ref.split("@")
org, name = package.split("/")


def blob(data):
    hexd = hashlib.sha256(data).hexdigest()
    d = os.path.join(reg, "blobs", "sha256")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hexd), "wb") as f:
        f.write(data)
    return "sha256:" + hexd


raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    for fn in ("leak.py", "server.py"):
        with open(os.path.join(src, fn), "rb") as f:
            data = f.read()
        ti = tarfile.TarInfo(fn)
        ti.size, ti.mode, ti.mtime = len(data), 0o644, 0
        t.addfile(ti, io.BytesIO(data))
gz = io.BytesIO()
with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
    g.write(raw.getvalue())
bundle = gz.getvalue()
bdig = blob(bundle)
manifest = {
    "schema_version": "1",
    "package": {"id": package, "version": version,
                "git_sha": hashlib.sha1(ref.encode()).hexdigest()},
    "bundle": {"digest": bdig, "size_bytes": len(bundle)},
    "transport": {"type": "stdio"},
    "entrypoints": [{"os": "linux", "arch": a, "command": "python3",
                     "args": ["leak.py"]} for a in ("amd64", "arm64")],
    "permissions_requested": {"environment": ["CANARY_TOKEN"],
                              "network": [], "filesystem": [],
                              "subprocess": False},
}
mdig = blob((json.dumps(manifest, indent=2) + "\n").encode())
os.makedirs(os.path.join(reg, "packages", org), exist_ok=True)
with open(os.path.join(reg, "packages", org, name + ".json"), "w") as f:
    json.dump({"package": package, "origin": "community", "versions": {
        version: {"version": version,
                  "git_sha": manifest["package"]["git_sha"],
                  "status": "published", "certification_level": 1,
                  "manifest_digest": mdig, "bundle_digest": bdig,
                  "bundle_size": len(bundle)}}}, f)
EOF
check "the canary package was built" test -s "$T/reg/packages/t9004/canary.json"

# The policy: CANARY_TOKEN is a secret the server may have.
cat >"$T/policy.yaml" <<'EOF'
policy:
  environment:
    secrets: [CANARY_TOKEN]
EOF
expect_ok "the policy file checks" "$MCP_POLICY" --check "$T/policy.yaml"

# --- through mcp-run ------------------------------------------------------------

run bounded "$py" "$client" --timeout 60 -- \
	"$MCP_RUN" --registry "$T/reg" --cache-dir "$T/cache" \
	--config "$T/policy.yaml" --audit-log "$log" \
	--records "$T/records.jsonl" "$pkg" -- "--leak=$canary"
if [ "$rc" -eq 0 ]; then
	ok "mcp-run: an MCP session (initialize, tools/list, tools/call)"
else
	not_ok "mcp-run: an MCP session (exit $rc)"
	show_output
fi
# The leak paths exist: otherwise what follows proves nothing.
check "the server got the secret and said it on stderr" \
	grep -qF "leak.py: started, CANARY_TOKEN=$canary, argv leaks ['$canary']" "$T/err"
jq_ok "the tool reply carries the secret to the client" "$T/out" \
	-s --arg c "$canary" 'any(.[]; .result._meta.canary? == $c)'
check "the end record reaches the log" wait_for_end "$log" 1
# Everything this test wrote, but the client's own output, is clean.
grep -rlF -- "$canary" "$T" 2>/dev/null | sort >"$T/leaks.all"
printf '%s\n' "$T/err" "$T/out" "$T/records.jsonl" | sort >"$T/leaks.want"
cmp -s "$T/leaks.all" "$T/leaks.want" || diag "files holding the canary:" "$(cat "$T/leaks.all")"
check "the canary is in no file of the run but the client's output and the records" \
	cmp -s "$T/leaks.all" "$T/leaks.want"
jq_ok "the log holds fetch, verified, spec, start and end" "$log" \
	-s '[.[].record | .kind + (if .event then ":" + .event else "" end)] ==
	["mcp.fetch/v1", "mcp.verified/v1", "mcp.spec/v1", "mcp.exec/v1:start", "mcp.exec/v1:end"]'
jq_ok "the run succeeded" "$log" \
	-s '[.[].record | select(.event == "end")][0].outcome == "success"'
no_canary "mcp-run: the canary is nowhere in the audit log or its anchor" \
	"$log" "$log.head"
# --records FILE is mcp-exec's records as written (mcp-run(1)): the
# argument the user gave stands in argv, and nothing else holds the value.
jq_ok "--records FILE: the secret's value is only in the argv the user gave" \
	"$T/records.jsonl" -s --arg c "$canary" \
	'map(del(.argv)) | tostring | contains($c) | not'
jq_ok "the spec in the log names CANARY_TOKEN as a secret, by name" "$log" \
	-s '[.[].record | select(.kind == "mcp.spec/v1")][0].process |
	.secrets == [{"name": "CANARY_TOKEN", "as": "env"}] and
	(.env | has("CANARY_TOKEN") | not)'
jq_ok "the spec's argv had the canary, redacted (spec lines: mcp-run's first append)" "$log" \
	-s '[.[].record | select(.kind == "mcp.spec/v1")][0].process.argv[-1] == "--leak=[REDACTED]"'
jq_ok "the start record's argv too (the appender of the exec records)" "$log" \
	-s '[.[].record | select(.event == "start")][0].argv[-1] == "--leak=[REDACTED]"'
expect_ok "mcp-run: the audit log verifies" "$MCP_AUDIT" verify --log "$log"
# --- the same through the stages, by hand ---------------------------------------

expect_ok "mcp-fetch" "$MCP_FETCH" --registry "$T/reg" --cache-dir "$T/cache" "$pkg"
cp "$T/out" "$T/fetch.json"
expect_ok "mcp-verify" "$MCP_VERIFY" --cache-dir "$T/cache" "$T/fetch.json"
cp "$T/out" "$T/verified.json"
expect_ok "mcp-policy" "$MCP_POLICY" --config "$T/policy.yaml" "$T/verified.json"
cp "$T/out" "$T/spec.json"
no_canary "no stage document holds the canary" \
	"$T/fetch.json" "$T/verified.json" "$T/spec.json"
jq_ok "the spec names CANARY_TOKEN by name only" "$T/spec.json" \
	'.process.secrets == [{"name": "CANARY_TOKEN", "as": "env"}] and
	(.process.env | has("CANARY_TOKEN") | not)'
# The user adds the server argument to the spec, as mcp-run does.
jq -c --arg a "--leak=$canary" '.process.argv += [$a]' "$T/spec.json" >"$T/spec-arg.json"
run bounded "$py" "$client" --timeout 60 -- \
	"$MCP_EXEC" --records "$T/hand-records.jsonl" "$T/spec-arg.json"
if [ "$rc" -eq 0 ]; then
	ok "mcp-exec: an MCP session"
else
	not_ok "mcp-exec: an MCP session (exit $rc)"
	show_output
fi
check "by hand: the server got the secret" \
	grep -qF "leak.py: started, CANARY_TOKEN=$canary" "$T/err"
check "by hand: the records hold the canary in argv (the leak is real)" \
	grep -qF -- "$canary" "$T/hand-records.jsonl"
jq_ok "by hand: mcp-exec's records hold the value nowhere but that argv" \
	"$T/hand-records.jsonl" -s --arg c "$canary" \
	'length == 2 and (map(del(.argv)) | tostring | contains($c) | not)'
cat "$T/fetch.json" "$T/verified.json" "$T/spec-arg.json" "$T/hand-records.jsonl" >"$T/all.jsonl"
expect_ok "mcp-audit append --secret CANARY_TOKEN" \
	"$MCP_AUDIT" append --log "$T/hand.log" --secret CANARY_TOKEN "$T/all.jsonl"
check "nothing on stderr" test ! -s "$T/err"
no_canary "--secret: the canary is nowhere in the log or its anchor" "$T/hand.log" "$T/hand.log.head"
jq_ok "--secret: the start record's argv is redacted" "$T/hand.log" \
	-s '[.[].record | select(.event == "start")][0].argv[-1] == "--leak=[REDACTED]"'
expect_ok "--secret: the log verifies" "$MCP_AUDIT" verify --log "$T/hand.log"

# The records alone (no spec in the input, as mcp-run's second appender
# sees them): the spec given with --secrets-from names the secret.
expect_ok "mcp-audit append --secrets-from SPEC, records only" \
	"$MCP_AUDIT" append --log "$T/rec.log" --secrets-from "$T/spec.json" "$T/hand-records.jsonl"
no_canary "--secrets-from: the canary is nowhere in the log" "$T/rec.log" "$T/rec.log.head"
expect_ok "--secrets-from: the log verifies" "$MCP_AUDIT" verify --log "$T/rec.log"
# And without it, redaction has nothing to go on: the check above can fail.
expect_ok "the records alone, no secret named" \
	"$MCP_AUDIT" append --log "$T/leaky.log" "$T/hand-records.jsonl"
check "unnamed, the canary does reach the log (the test can see a leak)" \
	grep -qF -- "$canary" "$T/leaky.log"

# --- records that could not be redacted stop the start ------------------------

# Without /dev/fd (a private /dev that has only null, zero and urandom;
# /proc stays, the sanitizers need it) the records' appender could not
# read the spec's secret names: mcp-run refuses to start the server.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"ping"}' >"$T/ping"
	RUN_STDIN=$T/ping run timeout --preserve-status -s KILL 120 unshare -m sh -c '
		mount --make-rprivate / 2>/dev/null
		mount -t tmpfs -o mode=0755 tmpfs /dev || exit 3
		mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
			mknod -m 666 /dev/urandom c 1 9 || exit 3
		exec "$@"' sh "$MCP_RUN" --registry "$T/reg" --cache-dir "$T/cache" \
		--config "$T/policy.yaml" --audit-log "$T/noproc.log" "$pkg"
	if [ "$rc" -eq 3 ] && [ ! -s "$T/err" ]; then
		skip_strict "no /dev/fd: cannot mount a private /dev in a private namespace"
	else
		check "no /dev/fd: mcp-run exits 1 (got $rc)" test "$rc" -eq 1
		check "no /dev/fd: nothing on stdout, the server never started" \
			sh -c "test ! -s '$T/out' && ! grep -q '^leak.py: started' '$T/err'"
		check "no /dev/fd: mcp-run says why" \
			grep -q '^mcp-run: /dev/fd/4 cannot be read (is /proc mounted?): .*not starting the server$' "$T/err"
	fi
else
	skip "no /dev/fd: needs root and unshare -m for a private /dev"
fi

# --- an audit log that cannot be written stops the start -----------------------

# The log lives on a read-only file system: a bind mount made read-only
# in a private mount namespace (root), or a read-only file in a read-only
# directory (others; root would write through the modes).
mkdir -p "$T/ro"
echo '{"kind":"mcp.exec/v1","event":"end","note":"before"}' |
	"$MCP_AUDIT" append --log "$T/ro/audit.log" - 2>/dev/null
before=$(sha256sum <"$T/ro/audit.log")
printf '%s\n' \
	'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}' \
	'{"jsonrpc":"2.0","method":"notifications/initialized"}' >"$T/in"
if [ "$(id -u)" -eq 0 ]; then
	if ! unshare -m true 2>/dev/null; then
		skip_strict "read-only log: unshare -m is not available here"
		done_testing
		exit
	fi
	# ro_run CMD...: CMD with $T/ro mounted read-only (status 3: no mount).
	ro_run() {
		timeout --preserve-status -s KILL 120 unshare -m sh -c '
			d=$1
			shift
			mount --make-rprivate / 2>/dev/null
			mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" || exit 3
			exec "$@"' sh "$T/ro" "$@"
	}
else
	chmod 0444 "$T/ro/audit.log" "$T/ro/audit.log.head"
	chmod 0555 "$T/ro"
	ro_run() {
		bounded "$@"
	}
fi
RUN_STDIN=$T/in run ro_run "$MCP_RUN" --registry "$T/reg" --cache-dir "$T/cache" \
	--config "$T/policy.yaml" --audit-log "$T/ro/audit.log" "$pkg"
if [ "$rc" -eq 3 ] && [ ! -s "$T/err" ]; then
	skip_strict "read-only log: cannot mount read-only in a private namespace"
	done_testing
	exit
fi
check "a read-only audit log: mcp-run exits 1 (got $rc)" test "$rc" -eq 1
check "a read-only audit log: nothing on stdout" test ! -s "$T/out"
check "a read-only audit log: mcp-audit says why, mcp-run says it did not start" \
	grep -q '^mcp-run: the audit log cannot be written; not starting the server$' "$T/err"
check "a read-only audit log: mcp-audit's reason is on stderr too" \
	grep -q "^mcp-audit: .*$T/ro/audit.log" "$T/err"
check "a read-only audit log: the server never started (no marker)" \
	sh -c "! grep -q '^leak.py: started' '$T/err'"
check "a read-only audit log: the log is unchanged" \
	test "$(sha256sum <"$T/ro/audit.log")" = "$before"
# The same with --audit-optional: the marker shows when the server runs.
RUN_STDIN=$T/in run ro_run "$MCP_RUN" --audit-optional --registry "$T/reg" \
	--cache-dir "$T/cache" --config "$T/policy.yaml" --audit-log "$T/ro/audit.log" "$pkg"
check "--audit-optional: the server runs (got $rc, marker on stderr)" \
	sh -c "test $rc -eq 0 && grep -q '^leak.py: started' '$T/err'"
check "--audit-optional: mcp-run warns" \
	grep -q '^mcp-run: warning: the audit log cannot be written; starting anyway' "$T/err"
[ "$(id -u)" -eq 0 ] || chmod 0755 "$T/ro"

done_testing
