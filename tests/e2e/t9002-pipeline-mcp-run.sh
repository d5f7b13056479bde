#!/bin/sh
# t9002: mcp-run, the whole pipeline in one command, as an MCP client
# configuration runs it: stdout carries the server's JSON-RPC and nothing
# else, every document and both execution records reach the audit log
# (which verifies), the first failing stage's status passes through, an
# audit log that cannot be written stops the run before the server starts,
# and a signal that stops the server still leaves the end record.
. "$top_srcdir/tests/e2e/lib.sh"

client=$top_srcdir/examples/mcp-client.py
py=${PYTHON3:-no}
log=$T/audit.log


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

# bounded CMD...: an outer bound on a run, so that a hang fails the test
# instead of stalling it (KILL, status preserved: never mistaken for 124).
bounded() {
	timeout --preserve-status -s KILL 120 "$@"
}

# wait_for_end LOG N: wait (30 s at most: a loaded machine is slow) until
# LOG holds N end records.
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

# --- the command line ---------------------------------------------------------

expect_ok "--help exits 0" bounded "$MCP_RUN" --help
check "--help prints the usage on stdout" grep -q '^Usage: mcp-run ' "$T/out"
expect_ok "--version exits 0" bounded "$MCP_RUN" --version
check "--version prints 'mcp-run (mcp-tools) VERSION'" \
	grep -Eqx 'mcp-run \(mcp-tools\) [0-9]+\.[0-9]+\.[0-9]+.*' "$T/out"
expect_fail 2 '^mcp-run: missing REF$' "no REF is a usage error" bounded "$MCP_RUN"
expect_fail 2 '^mcp-run: option --registry given twice$' \
	"a repeated option is refused by name" \
	bounded "$MCP_RUN" --registry "$REGISTRY" --registry "$REGISTRY" examples/echo-c@1.0.0
expect_fail 2 '^mcp-run: unknown option --no-such-option$' \
	"an unknown option is a usage error" bounded "$MCP_RUN" --no-such-option x/y@1.0.0
expect_fail 2 '^mcp-run: unexpected argument' \
	"server arguments must follow --" bounded "$MCP_RUN" examples/echo-c@1.0.0 extra
saved=$MCP_FETCH
MCP_FETCH=$T/nonexistent
expect_fail 1 'nonexistent: not an executable file' \
	"a missing stage binary is named" bounded "$MCP_RUN" examples/echo-c@1.0.0
MCP_FETCH=$saved

# --- a failing stage's status passes through ---------------------------------

expect_fail 2 '^mcp-fetch: ' "a malformed reference: mcp-fetch's status 2" \
	bounded "$MCP_RUN" --registry "$REGISTRY" --audit-log "$log" 'examples/echo-c@not a version'
check "a malformed reference: nothing on stdout" test ! -s "$T/out"
expect_fail 5 '^mcp-fetch: ' "an unknown package: mcp-fetch's status 5" \
	bounded "$MCP_RUN" --registry "$REGISTRY" --audit-log "$log" examples/no-such-package@1.0.0
expect_fail 5 '^mcp-fetch: ' "an unknown version: mcp-fetch's status 5" \
	bounded "$MCP_RUN" --registry "$REGISTRY" --audit-log "$log" examples/echo-c@9.9.9
check "failed fetches leave nothing in the audit log (no document to log)" \
	test ! -s "$log"

# A denial: a policy that refuses every package below certification level 3.
mkdir -p "$T/conf"
cat >"$T/conf/deny.yaml" <<'EOF'
policy:
  certification:
    minimum: 3
    mode: strict
EOF
run "$MCP_POLICY" --check "$T/conf/deny.yaml"
if [ "$rc" -ne 0 ]; then
	skip "mcp-policy does not take the certification policy written here (exit $rc)"
else
	expect_fail 3 '^mcp-policy: ' "a policy denial: mcp-policy's status 3" \
		bounded "$MCP_RUN" --registry "$REGISTRY" --audit-log "$T/deny.log" \
		--config "$T/conf/deny.yaml" examples/echo-c@1.0.0
	check "a policy denial: nothing on stdout" test ! -s "$T/out"
	jq_ok "a policy denial: the fetch, verified and denied documents are logged" \
		"$T/deny.log" -s '[.[].record.kind] == ["mcp.fetch/v1", "mcp.verified/v1", "mcp.denied/v1"]'
fi

# A tampered bundle in a copy of the registry: the digest check refuses it.
cp -R "$REGISTRY" "$T/reg"
chmod -R u+w "$T/reg"
b=$(jq -r '.versions["1.0.0"].bundle_digest | ltrimstr("sha256:")' "$T/reg/packages/examples/echo-c.json")
printf 'x' | dd of="$T/reg/blobs/sha256/$b" bs=1 seek=100 conv=notrunc 2>/dev/null
run bounded "$MCP_RUN" --registry "$T/reg" --cache-dir "$T/tampered-cache" \
	--audit-log "$T/tampered.log" examples/echo-c@1.0.0
check "a tampered bundle is refused (status 4 or 5, not run; got $rc)" \
	test "$rc" -eq 4 -o "$rc" -eq 5
check "a tampered bundle: nothing on stdout" test ! -s "$T/out"

if [ "$py" = no ]; then
	skip "python3 not found: mcp-client.py cannot run"
	done_testing
	exit
fi

# --- a session through mcp-run ------------------------------------------------

run "$py" "$client" --timeout 60 --expect-name echo-python --expect-version 1.1.0 -- \
	"$MCP_RUN" --registry "$REGISTRY" --audit-log "$log" \
	--records "$T/records.jsonl" examples/echo-python@latest
if [ "$rc" -eq 0 ]; then
	ok "an MCP session through mcp-run examples/echo-python@latest (1.1.0)"
else
	not_ok "an MCP session through mcp-run (exit $rc)"
	show_output
fi
check "the session's stdout is the three replies" \
	test "$(jq -c . "$T/out" 2>/dev/null | wc -l)" -eq 3
jq_ok "the log holds fetch, verified, spec, start and end, in order" "$log" \
	-s '[.[].record | .kind + (if .event then ":" + .event else "" end)] ==
	["mcp.fetch/v1", "mcp.verified/v1", "mcp.spec/v1", "mcp.exec/v1:start", "mcp.exec/v1:end"]'
jq_ok "the end record: success, exit 0, examples/echo-python 1.1.0" "$log" \
	-s '[.[].record | select(.event == "end")][0] |
	.outcome == "success" and .exit_code == 0 and
	.package == "examples/echo-python" and .version == "1.1.0"'
jq_ok "--records FILE has the start and end records too" "$T/records.jsonl" \
	-s '[.[].event] == ["start", "end"]'
expect_ok "the audit log verifies" "$MCP_AUDIT" verify --log "$log"

# Stdout purity without the client: only JSON-RPC lines, nothing else.
printf '%s\n' \
	'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}' \
	'{"jsonrpc":"2.0","method":"notifications/initialized"}' \
	'{"jsonrpc":"2.0","id":2,"method":"ping"}' >"$T/in"
RUN_STDIN=$T/in run bounded "$MCP_RUN" -v --registry "$REGISTRY" --audit-log "$log" \
	examples/echo-c@1.0.0
check "mcp-run -v with piped input exits 0 (got $rc)" test "$rc" -eq 0
check "stdout holds exactly the two replies, even with -v" \
	test "$(wc -l <"$T/out")" -eq 2 -a \
	"$(jq -c 'select(.jsonrpc == "2.0" and (.id == 1 or .id == 2) and .result)' "$T/out" 2>/dev/null | wc -l)" -eq 2
check "-v shows the steps on stderr" grep -q '^mcp-run: ' "$T/err"
check "the second run's end record reaches the log" wait_for_end "$log" 2
expect_ok "the audit log still verifies" "$MCP_AUDIT" verify --log "$log"

# The documents' directory is private and gone once the server runs, and
# after a failed stage.
mkdir -p "$T/tmpdir"
TMPDIR=$T/tmpdir
export TMPDIR
RUN_STDIN=$T/in run bounded "$MCP_RUN" -v --registry "$REGISTRY" \
	--audit-log "$log" --records "$T/rec-mode.jsonl" examples/echo-c@1.0.0
check "the documents were written under TMPDIR" \
	grep -q "$T/tmpdir/mcp-run\\." "$T/err"
check "a run leaves nothing in TMPDIR (got $rc)" \
	test "$rc" -eq 0 -a -z "$(ls -A "$T/tmpdir")"
check "the --records file is private (0600)" \
	test "$(stat -c %a "$T/rec-mode.jsonl")" = 600
run bounded "$MCP_RUN" --registry "$REGISTRY" \
	--audit-log "$log" examples/no-such-package@1.0.0
check "a failed run leaves nothing in TMPDIR (got $rc)" \
	test "$rc" -eq 5 -a -z "$(ls -A "$T/tmpdir")"
unset TMPDIR

# Server arguments after -- reach the server: a bad one makes it exit 2,
# and its status is mcp-run's.
RUN_STDIN=/dev/null run bounded "$MCP_RUN" --registry "$REGISTRY" --audit-log "$log" \
	examples/echo-c@1.0.0 -- --no-such-server-option
check "ARGS after -- reach the server, and its exit status passes through (got $rc)" \
	test "$rc" -eq 2
check "the server's complaint is on stderr, stdout empty" \
	test ! -s "$T/out" -a -s "$T/err"

# --- the audit log comes first --------------------------------------------------

# A log whose directory is a regular file cannot be created by anyone.
: >"$T/not-a-dir"

RUN_STDIN=$T/in run bounded "$MCP_RUN" --registry "$REGISTRY" \
	--audit-log "$T/not-a-dir/audit.log" examples/echo-c@1.0.0
check "an unwritable audit log stops the run (status 1, got $rc)" test "$rc" -eq 1
check "an unwritable audit log: the server never ran (stdout empty)" test ! -s "$T/out"
check "an unwritable audit log: mcp-run says so" \
	grep -q '^mcp-run: the audit log cannot be written; not starting the server$' "$T/err"
RUN_STDIN=$T/in run bounded "$MCP_RUN" --audit-optional --registry "$REGISTRY" \
	--audit-log "$T/not-a-dir/audit.log" examples/echo-c@1.0.0
check "--audit-optional runs the server anyway (got $rc)" \
	test "$rc" -eq 0 -a "$(wc -l <"$T/out")" -eq 2
check "--audit-optional warns" grep -q '^mcp-run: warning: ' "$T/err"

# --- a signal stops the server; the end record is still logged ----------------

mkfifo "$T/sigin"
"$MCP_RUN" --registry "$REGISTRY" --audit-log "$T/sig.log" examples/echo-python@1.0.0 \
	<"$T/sigin" >"$T/sig.out" 2>"$T/sig.err" &
pid=$!
exec 7>"$T/sigin"
started=no
i=0
while [ "$i" -lt 300 ]; do
	if jq -e -s 'any(.[]; .record.event == "start")' "$T/sig.log" >/dev/null 2>&1; then
		started=yes
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
check "the server started (start record in the log)" test "$started" = yes
kill -TERM "$pid" 2>/dev/null
# A run that ignores SIGTERM fails the test instead of hanging it: after
# 30 s it is killed (and its status is then 137, not a pass).
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
rc=$?
exec 7>&-
check "SIGTERM: mcp-run ends with 143, mcp-exec's status for it (got $rc)" \
	test "$rc" -eq 143
check "SIGTERM: the end record reaches the log" wait_for_end "$T/sig.log" 1
jq_ok "SIGTERM: the end record says the run did not succeed" "$T/sig.log" \
	-s '[.[].record | select(.event == "end")] | length == 1 and .[0].outcome != "success"'
expect_ok "SIGTERM: the audit log verifies" "$MCP_AUDIT" verify --log "$T/sig.log"


# mcp-exec gets the caller's umask back (mcp-run reads it from
# /proc/self/status, without a fork), the records FIFO (made in the
# background while the stages run) on descriptor 3 and the spec on 4,
# and no temporary directory is left: a stand-in mcp-exec reports.
cat >"$T/fake-exec" <<'EOF'
#!/bin/sh
{ umask; [ -p /dev/fd/3 ] && echo fifo; jq -r .kind <&4; } >"$FAKE_OUT"
EOF
chmod 755 "$T/fake-exec"
mkdir -p "$T/tmpdir"
for m in 0022 0027; do
	rm -f "$T/fake.out"
	expect_ok "umask $m: a run with a stand-in mcp-exec" env FAKE_OUT="$T/fake.out" \
		MCP_EXEC="$T/fake-exec" TMPDIR="$T/tmpdir" sh -c \
		'umask "$1" && exec "$2" --registry "$3" --audit-log "$4" examples/echo-c@1.0.0' \
		sh "$m" "$MCP_RUN" "$REGISTRY" "$T/fake.log"
	check "umask $m: mcp-exec gets the caller's umask back" \
		test "$(sed -n 1p "$T/fake.out" 2>/dev/null)" = "$m"
	check "umask $m: the records FIFO on 3, the spec on 4" \
		test "$(sed -n '2,3p' "$T/fake.out" 2>/dev/null | tr '\n' ' ')" = "fifo mcp.spec/v1 "
	check "umask $m: no temporary directory is left" test -z "$(ls -A "$T/tmpdir")"
done

done_testing
