#!/bin/sh
# t1014: what mcp-fetch prints on stderr.  A progress bar (bytes, rate,
# ETA, one line redrawn with \r and ended with a newline) only when
# stderr is a terminal and not --quiet; silence otherwise.  -v names each
# HTTP request and its status, never the token, never a URL's query.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
"$PY" - "$REG" <<'PYEOF'
# acme/big@1.0.0: a 4 MiB bundle, so the bar has something to draw.
import hashlib, json, os, sys
reg = sys.argv[1]
def put(d):
    h = hashlib.sha256(d).hexdigest()
    with open(os.path.join(reg, "blobs", "sha256", h), "wb") as f:
        f.write(d)
    return "sha256:" + h
b = put(os.urandom(4 << 20))
m = put(b'{"schema_version": "1"}')
os.makedirs(os.path.join(reg, "packages", "acme"), exist_ok=True)
with open(os.path.join(reg, "packages", "acme", "big.json"), "w") as f:
    json.dump({"package": "acme/big", "versions": {"1.0.0": {
        "version": "1.0.0", "git_sha": None, "status": "published",
        "certification_level": 1, "manifest_digest": m,
        "bundle_digest": b, "bundle_size": 4 << 20}}}, f)
PYEOF
start_server
U=http://127.0.0.1:$PORT/m/ok

# --- not a terminal: silent ----------------------------------------------
expect_ok "fetch over http, stderr a file" "$MCP_FETCH" --registry "$U" --cache-dir "$CACHE" acme/big@1.0.0
check "stderr is empty when it is not a terminal" test ! -s "$T/err"
rm -rf "$CACHE"
expect_ok "directory registry, stderr a file" mf acme/hello@1.0.0
check "silent for a directory registry too" test ! -s "$T/err"

# --- -v -----------------------------------------------------------------
rm -rf "$CACHE"
MCP_REGISTRY_TOKEN=s3cr3t-t0ken
export MCP_REGISTRY_TOKEN
expect_ok "-v with a token" "$MCP_FETCH" -v --registry "$U" --cache-dir "$CACHE" acme/hello@1.0.0
check "-v names the resolve request and its status" \
	grep -q "^mcp-fetch: GET $U/v1/org/acme/mcps/hello/resolve: HTTP 200\$" "$T/err"
check "-v names the bundle request" \
	grep -Eq "^mcp-fetch: GET $U/v1/org/acme/artifacts/sha256:[0-9a-f]{64}/bundle: HTTP 200\$" "$T/err"
check "-v never prints the token" sh -c "! grep -q s3cr3t '$T/err'"
check "-v prints no query string" sh -c "! grep -q 'resolve?' '$T/err'"
check "the token did reach the server" grep -q 'auth=yes' "$T/server.log"
unset MCP_REGISTRY_TOKEN
rm -rf "$CACHE"
run "$MCP_FETCH" -v --registry "$U" --cache-dir "$CACHE" acme/hello@9.9.9
check "-v on a failing request exits 5 ($rc)" test "$rc" -eq 5
check "-v on a failing request prints no document" test ! -s "$T/out"
check "-v shows the failing status, then the error" test "$(cat "$T/err")" = \
"mcp-fetch: GET $U/v1/org/acme/mcps/hello/resolve: HTTP 404
mcp-fetch: acme/hello@9.9.9: not found: resolve answer for acme/hello@9.9.9: HTTP 404: no version of acme/hello matches 9.9.9"

# --- a terminal: the bar ------------------------------------------------
if command -v script >/dev/null 2>&1 && script -qfec true /dev/null >/dev/null 2>&1; then
	rm -rf "$CACHE"
	script -qfec "'$MCP_FETCH' --registry '$U' --cache-dir '$CACHE' acme/big@1.0.0 >'$T/tty.out'" \
		"$T/typescript" >/dev/null 2>&1 </dev/null
	rc=$?
	check "fetch under a pseudo-terminal exits 0 ($rc)" test "$rc" -eq 0
	check "the document still goes to stdout" jq_true "$T/tty.out" '.package == "acme/big"'
	tr '\r' '\n' <"$T/typescript" >"$T/bar"
	check "the bar shows bytes of the total" grep -Eq 'mcp-fetch: bundle +4\.0 / 4\.0 MiB 100%' "$T/bar"
	check "the bar shows a rate and an ETA" grep -Eq 'MiB/s  ETA +[0-9]+:[0-9]{2}' "$T/bar"
	check "the bar is redrawn with carriage returns" grep -q "$(printf '\r')mcp-fetch: bundle" "$T/typescript"
	check "the bar ends with a newline" grep -Eq "ETA +[0-9]+:[0-9]{2} *$(printf '\r')?\$" "$T/typescript"
	rm -rf "$CACHE"
	script -qfec "'$MCP_FETCH' --quiet --registry '$U' --cache-dir '$CACHE' acme/big@1.0.0 >/dev/null" \
		"$T/typescript.q" >/dev/null 2>&1 </dev/null
	check "--quiet: no bar on a terminal" sh -c "! grep -q 'mcp-fetch: bundle' '$T/typescript.q'"
	script -qfec "'$MCP_FETCH' --registry '$U' --cache-dir '$CACHE' acme/big@1.0.0 >/dev/null" \
		"$T/typescript.hit" >/dev/null 2>&1 </dev/null
	check "no bar for a cache hit" sh -c "! grep -q 'mcp-fetch: bundle' '$T/typescript.hit'"
else
	for i in 1 2 3 4 5 6 7 8; do
		skip "script(1) from util-linux is not available (no pseudo-terminal test)"
	done
fi

done_testing
