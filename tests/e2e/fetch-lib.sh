# fetch-lib.sh: helpers for the mcp-fetch tests (sourced after lib.sh).
#
# REG is a directory registry and CACHE a cache directory, both in $T.
# mkreg ORG/NAME VERSION [options] adds a version (fetch-mkreg.py).

REG=$T/reg
CACHE=$T/cache
PY=${PYTHON3:-python3}
[ "$PY" = no ] && PY=python3

mkreg() {
	"$PY" "$top_srcdir/tests/e2e/fetch-mkreg.py" "$REG" "$@" >/dev/null ||
		{ echo "Bail out! cannot build the test registry"; exit 99; }
}

# idx ORG/NAME FILTER: jq FILTER on the package index.
idx() {
	jq -r "$2" "$REG/packages/$1.json"
}

# blob_path DIGEST: where the cache keeps it.
blob_path() {
	_h=${1#sha256:}
	printf '%s/sha256/%s/%s\n' "$CACHE" "$(printf %s "$_h" | cut -c1-2)" "$_h"
}

# mf ARGS...: mcp-fetch on the test registry and cache.
mf() {
	"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" "$@"
}

# count_tmp: temporary files left in the cache (must stay 0).
count_tmp() {
	find "$CACHE" -name '.tmp-*' 2>/dev/null | wc -l
}

# start_server [--tls CERT KEY] [--token T]: the test registry server on
# 127.0.0.1 (fetch-server.py) over $REG; sets PORT and SRV_PID, logs
# requests to $T/server.log.  Stopped when the test exits.
SRV_PID=
start_server() {
	rm -f "$T/port"
	"$PY" "$top_srcdir/tests/e2e/fetch-server.py" "$REG" "$T/port" \
		--log "$T/server.log" "$@" 2>"$T/server.err" &
	SRV_PID=$!
	trap 'stop_server; _cleanup' EXIT
	_i=0
	while [ ! -s "$T/port" ] && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -s "$T/port" ] ||
		{ echo "Bail out! test registry server did not start"; cat "$T/server.err"; exit 99; }
	PORT=$(cat "$T/port")
}

stop_server() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	SRV_PID=
}

# The network tests talk to 127.0.0.1 only, never through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
no_proxy='*'
NO_PROXY='*'
export no_proxy NO_PROXY
