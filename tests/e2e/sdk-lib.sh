# sdk-lib.sh: helpers for the real-client tests (t95*), sourced after
# lib.sh.  The clients are written with the official MCP TypeScript SDK
# (tests/e2e/sdk-client.mjs); the SDK and the published servers are
# npm packages that ./quickstart.sh --deps installs into
# tests/npm/*/node_modules at the versions of their package-lock.json.

NPM_DIR=${MCP_TEST_NPM:-$top_srcdir/tests/npm}
SDK_CLIENT=$top_srcdir/tests/e2e/sdk-client.mjs

# need_sdk: skip the whole test (with the reason) when node or the npm
# packages are missing.
need_sdk() {
	if [ "${NODE:-no}" = no ] || ! command -v "$NODE" >/dev/null 2>&1; then
		skip_strict "node is not installed (Debian: nodejs)"
		done_testing
		exit
	fi
	for _p in client/node_modules/@modelcontextprotocol/sdk \
	          memory/node_modules/@modelcontextprotocol/server-memory \
	          filesystem/node_modules/@modelcontextprotocol/server-filesystem; do
		if [ ! -f "$NPM_DIR/$_p/package.json" ]; then
			skip_strict "$NPM_DIR/$_p is not installed (run ./quickstart.sh --deps)"
			done_testing
			exit
		fi
	done
}

# sdk_client OUT SCENARIO [ARG...] -- COMMAND [ARGS...]: run the SDK client
# under an outer bound (the client has its own 60 s), its JSON result in
# OUT, its stderr (and the run's) in OUT.err; the status in $rc.
sdk_client() {
	_o=$1
	shift
	timeout --preserve-status -s KILL 120 \
		"$NODE" "$SDK_CLIENT" "$NPM_DIR/client" "$@" >"$_o" 2>"$_o.err"
	rc=$?
}

# sdk_check DESC OUT JQ: jq -e JQ holds on the client's result in OUT.
sdk_check() {
	if jq_true "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1 (jq: $3)"
		sed 's/^/#   /' "$2" 2>/dev/null | head -c 3000
		sed 's/^/#   stderr: /' "$2.err" 2>/dev/null | tail -n 20
	fi
}

# audit_check DESC LOG JQ: jq -e -s JQ holds on the records of LOG.
audit_check() {
	if jq -e -s "$3" "$2" >/dev/null 2>&1; then
		ok "$1"
	else
		not_ok "$1 (jq -s: $3)"
		jq -c '.record | {event, kind, outcome, hangup, exit_code}' "$2" 2>/dev/null |
			sed 's/^/#   /' | tail -n 20
	fi
}

# wait_end LOG N: up to 30 s for N end records in LOG (the records reach
# the log through mcp-run's detached appender).
wait_end() {
	_i=0
	while [ "$_i" -lt 300 ]; do
		[ "$(jq -c 'select(.record.event == "end")' "$1" 2>/dev/null | wc -l)" -ge "$2" ] &&
			return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
