#!/bin/sh
# t9003: the example servers speak MCP over stdio correctly on their own,
# without the pipeline: the normal session, ping, and every JSON-RPC error
# (-32700 parse error with id null, -32600 invalid request, -32601 method
# not found, -32602 invalid params), notifications never answered, protocol
# version negotiation, end of input a clean exit, stdout only JSON-RPC.
. "$top_srcdir/tests/e2e/lib.sh"

client=$top_srcdir/examples/mcp-client.py
echo_c=$top_builddir/examples/servers/echo-c/echo-c
py=${PYTHON3:-no}
node=${NODE:-no}

# bounded CMD...: an outer bound on a run, so that a hang fails the test
# instead of stalling it.
bounded() {
	timeout --preserve-status -s KILL 60 "$@"
}

# has DESC COND: some reply in $T/out satisfies the jq condition COND.
# (Slurped: jq 1.6's -e looks only at the last input's output.)
has() {
	if jq -e -s "any(.[]; $2)" "$T/out" >/dev/null 2>&1; then
		ok "$1"
	else
		not_ok "$1 (no reply with $2)"
		show_output
	fi
}

# send_lines FILE LINE...: the input of a raw exchange.
send_lines() {
	_f=$1
	shift
	printf '%s\n' "$@" >"$_f"
}

# The raw exchange every server must answer the same way (ids and codes).
send_lines "$T/raw.in" \
	'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}' \
	'{"jsonrpc":"2.0","method":"notifications/initialized"}' \
	'{"jsonrpc":"2.0","id":2,"method":"no/such/method"}' \
	'{"jsonrpc": "2.0", "id": 3, "method": ' \
	'' \
	'[{"jsonrpc":"2.0","id":4,"method":"ping"}]' \
	'{"id":5,"method":"ping"}' \
	'{"jsonrpc":"2.0","id":null,"method":"ping"}' \
	'{"jsonrpc":"2.0","id":"seven","method":"ping"}' \
	'{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo"}}' \
	'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a\u0000b\nc"}}}' \
	'{"jsonrpc":"2.0","id":10,"method":"initialize","params":{"protocolVersion":"1999-01-01"}}' \
	'{"jsonrpc":"2.0","id":11,"method":"initialize","params":[]}' \
	'{"jsonrpc":"2.0","id":12,"result":{}}' \
	'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}' \
	'{"jsonrpc":"2.0","id":13,"method":"tools/list","params":{"cursor":"x"}}'

# The replies expected, in order, as "ID CODE-OR-ok".
cat >"$T/raw.expected" <<'EOF'
1 ok
2 -32601
null -32700
null -32600
5 -32600
null -32600
"seven" ok
8 -32602
9 ok
10 ok
11 -32602
13 ok
EOF

# check_server NAME CMD...: the checks for one server.
check_server() {
	_name=$1
	shift

	expect_ok "$_name: a full session with mcp-client.py, errors included" \
		"$py" "$client" --errors --expect-name "$_name" \
		--expect-version 0.0.0 -- "$@"
	has "$_name: unknown method is -32601 (Method not found)" \
		'.id == 4 and (.error.code == -32601)'
	has "$_name: invalid JSON is -32700 with id null" \
		'.error.code == -32700 and (.id == null)'
	has "$_name: unknown tool is -32602 (Invalid params)" \
		'.id == 6 and (.error.code == -32602)'
	check "$_name: every reply printed, one JSON line each" \
		test "$(jq -c . "$T/out" | wc -l)" -eq 9

	for _v in 2025-06-18 2025-03-26 2024-11-05; do
		expect_ok "$_name: protocol version $_v is spoken" \
			"$py" "$client" --protocol-version "$_v" -- "$@"
		has "$_name: protocol version $_v answered as asked" \
			".id == 1 and .result.protocolVersion == \"$_v\""
	done

	RUN_STDIN=$T/raw.in run bounded "$@"
	check "$_name: raw exchange: exit 0 at end of input" test "$rc" -eq 0
	check "$_name: raw exchange: stdout is only JSON-RPC 2.0 objects" \
		test "$(jq -c 'select(type == "object" and .jsonrpc == "2.0")' \
			"$T/out" 2>/dev/null | wc -l)" -eq "$(wc -l <"$T/out")"
	jq -r 'if .error then "\(.id | tojson) \(.error.code)" else "\(.id | tojson) ok" end' \
		"$T/out" >"$T/raw.got" 2>/dev/null
	if cmp -s "$T/raw.expected" "$T/raw.got"; then
		ok "$_name: raw exchange: one reply per request, none per notification, right codes"
	else
		not_ok "$_name: raw exchange: replies differ"
		diff "$T/raw.expected" "$T/raw.got" | sed 's/^/# /'
	fi
	has "$_name: NUL and newline in the text are echoed exactly (escaped)" \
		'.id == 9 and (.result.content == [{"type": "text", "text": "a\u0000b\nc"}])'
	has "$_name: an unknown protocol version gets the newest one" \
		'.id == 10 and (.result.protocolVersion == "2025-06-18")'
	has "$_name: initialize declares the tools capability" \
		'.id == 1 and (.result.capabilities.tools | type == "object")'
	has "$_name: tools/list lists echo" \
		'.id == 13 and (.result.tools | map(.name) == ["echo"])'

	RUN_STDIN=/dev/null run bounded "$@"
	check "$_name: immediate end of input: exit 0, no output" \
		test "$rc" -eq 0 -a ! -s "$T/out"

	# echo-c crashed here (NULL buffer) until clang-tidy found it.
	printf '\n{"jsonrpc":"2.0","id":1,"method":"ping"}\n' >"$T/empty.in"
	RUN_STDIN=$T/empty.in run bounded "$@"
	check "$_name: an empty first line is skipped, the next one answered" \
		test "$rc" -eq 0 -a \
		"$(jq -c '[.id, (.error.code // "ok")]' "$T/out" 2>/dev/null | tr -d '\n')" = \
		'[1,"ok"]'

	printf '{"jsonrpc":"2.0","id":1,"method":"ping"}' >"$T/nonl.in"
	RUN_STDIN=$T/nonl.in run bounded "$@"
	jq_check '.id == 1 and .result == {}' \
		"$_name: a last message without newline is still answered"

	head -c 5000000 /dev/zero | tr '\0' ' ' >"$T/long.in"
	printf '\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n' >>"$T/long.in"
	RUN_STDIN=$T/long.in run bounded "$@"
	check "$_name: an over-long line is refused with -32700, the next one answered" \
		test "$rc" -eq 0 -a \
		"$(jq -c '[.id, (.error.code // "ok")]' "$T/out" 2>/dev/null | tr -d '\n')" = \
		'[null,-32700][2,"ok"]'

	run "$@" --help
	check "$_name: --help exits 0 with the usage on stdout" \
		test "$rc" -eq 0 -a -s "$T/out"
	run "$@" --no-such-option
	check "$_name: an unknown argument is status 2, nothing on stdout" \
		test "$rc" -eq 2 -a ! -s "$T/out" -a -s "$T/err"
}

if [ "$py" = no ]; then
	skip "python3 not found: mcp-client.py cannot run"
	done_testing
	exit
fi

check_server echo-c "$echo_c"
check_server echo-python "$py" "$top_srcdir/examples/servers/echo-python/server.py"
if [ "$node" = no ]; then
	skip "node not found: echo-node not tested"
else
	check_server echo-node "$node" "$top_srcdir/examples/servers/echo-node/server.js"
fi

# The client itself is strict: a server that is not MCP fails it.
expect_fail 1 'mcp-client.py: .*(not JSON|initialize)' \
	"mcp-client.py rejects a server that writes non-JSON" \
	"$py" "$client" --timeout 5 -- sh -c 'echo hello; cat >/dev/null'
expect_fail 1 'mcp-client.py: no reply to initialize within' \
	"mcp-client.py times out on a silent server" \
	"$py" "$client" --timeout 1 -- sh -c 'exec sleep 30'
expect_fail 1 'mcp-client.py: the server exited with status 3' \
	"mcp-client.py checks the exit status at end of input" \
	"$py" "$client" --timeout 10 -- sh -c "\"$echo_c\"; exit 3"

done_testing
