#!/bin/sh
# t1008: the HTTP registry backend against a test server on 127.0.0.1:
# resolution, digests and sizes checked on bytes from the network, bounded
# retries, redirects checked hop by hop, the bearer token kept to the
# registry's origin, and every fault mode failing with the right status.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkreg acme/hello 1.1.0
mkreg acme/hello 2.0.0-rc.1
mkreg acme/hello 1.2.0+build.5 --status deprecated
mkreg acme/gone 1.0.0 --status revoked
start_server
U=http://127.0.0.1:$PORT/m

# hf MODE ARGS...: mcp-fetch against the server in MODE, fresh cache.
hf() {
	_mode=$1
	shift
	rm -rf "$CACHE"
	"$MCP_FETCH" --registry "$U/$_mode" --cache-dir "$CACHE" "$@"
}

expect_ok "fetch by version over http" hf ok acme/hello@1.0.0
out_kind mcp.fetch/v1 "one mcp.fetch/v1 document"
b=$(idx acme/hello '.versions["1.0.0"].bundle_digest')
m=$(idx acme/hello '.versions["1.0.0"].manifest_digest')
jq_check ".version == \"1.0.0\" and .bundle.digest == \"$b\" and .manifest.digest == \"$m\" and .registry == \"$U/ok\"" \
	"document from the resolve answer"
check "bundle bytes are the registry's" cmp -s "$(blob_path "$b")" "$REG/blobs/sha256/${b#sha256:}"
expect_ok "latest over http" hf ok acme/hello@latest
jq_check '.version == "1.1.0"' "latest resolved by the server"
expect_ok "build metadata survives the query string" hf ok 'acme/hello@1.2.0+build.5'
jq_check '.version == "1.2.0+build.5" and .status == "deprecated"' "+ percent-encoded, not a space"
expect_ok "fetch by git sha" hf ok "acme/hello@$(idx acme/hello '.versions["1.1.0"].git_sha')"
expect_ok "fetch by bundle digest" hf ok "acme/hello@$b"
check "User-Agent and auth-less requests logged" grep -q 'auth=no' "$T/server.log"
expect_fail 3 'is revoked' "revoked over http -> 3" hf ok acme/gone@1.0.0

# Cache and offline work the same way for a network registry.
rm -rf "$CACHE"
expect_ok "first fetch" "$MCP_FETCH" --registry "$U/ok/" --cache-dir "$CACHE" acme/hello@latest
jq_check ".registry == \"$U/ok\"" "trailing slash removed from the registry URL"
: >"$T/server.log"
expect_ok "offline answer" "$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" --offline acme/hello@latest
jq_check '.resolved_from == "cache" and .cache_hit == true' "offline from the cache"
check "offline made no request" test ! -s "$T/server.log"

# --- faults -------------------------------------------------------------
expect_fail 4 "bundle $b: digest mismatch" "wrong bundle bytes -> 4" hf wrongdigest acme/hello@1.0.0
check "no cache file for the wrong bundle" test ! -e "$(blob_path "$b")"
check "no temporary file left" test "$(count_tmp)" -eq 0
expect_fail 4 "bundle $b: size [0-9]+ bytes, expected" "truncated bundle -> 4" hf truncated acme/hello@1.0.0
check "no cache file for the truncated bundle" test ! -e "$(blob_path "$b")"
expect_ok "connection cut once: retried from an empty file" hf truncatedonce acme/hello@1.0.0
check "retried bundle is correct" cmp -s "$(blob_path "$b")" "$REG/blobs/sha256/${b#sha256:}"
expect_fail 4 "bundle $b: larger than its declared size" "oversized streamed bundle -> 4" \
	hf oversized acme/hello@1.0.0
check "no cache file for the oversized bundle" test ! -e "$(blob_path "$b")"
expect_fail 4 "bundle $b: server announces [0-9]+ bytes, expected" \
	"oversized Content-Length -> 4 before the body" hf oversizedcl acme/hello@1.0.0
start=$(date +%s)
expect_ok "500 twice, then success" hf fail500twice acme/hello@1.0.0
check "500s were retried" test "$(grep -c 'resolve' "$T/server.log")" -ge 3
expect_ok "429 with Retry-After: 1, then success" hf retryafter acme/hello@1.1.0
el=$(($(date +%s) - start))
check "backoff waited, bounded ($el s)" test "$el" -ge 1 -a "$el" -le 30
start=$(date +%s)
expect_fail 5 'HTTP 429: busy with Retry-After of 3600 s, over 60 s; giving up' \
	"Retry-After: 3600 -> 5 at once" hf retryafterlong acme/hello@1.0.0
el=$(($(date +%s) - start))
check "did not sleep through Retry-After ($el s)" test "$el" -le 5
expect_fail 5 'redirect to a non-http\(s\) URL file:///etc/passwd refused' \
	"redirect to file:///etc/passwd -> 5" hf redirfile acme/hello@1.0.0
expect_fail 5 'more than 10 redirects' "redirect loop -> 5" hf redirloop acme/hello@1.0.0
expect_fail 5 "resolve answer for acme/hello@1.0.0:1:4: string or '}' expected" \
	"invalid JSON -> 5" hf badjson acme/hello@1.0.0
expect_fail 5 'resolve answer for acme/hello@1.0.0: larger than 1048576 bytes' \
	"streamed resolve answer over 1 MiB -> 5" hf bigresolve acme/hello@1.0.0
expect_fail 5 'resolve answer for acme/hello@1.0.0: server announces 2097154 bytes, over the cap of 1048576' \
	"announced resolve answer over 1 MiB -> 5" hf bigresolvecl acme/hello@1.0.0
expect_fail 5 'acme/hello@9.9.9: not found: .*HTTP 404: no version of acme/hello matches 9.9.9' \
	"unknown version -> 5 with the server's message" hf ok acme/hello@9.9.9
expect_fail 5 'HTTP 404: no such package' "404 everywhere -> 5" hf notfound acme/hello@1.0.0
expect_fail 5 "resolved.manifest.url: must be an http\(s\) URL on the registry's origin" \
	"artifact URL on another port -> 5" hf otherport acme/hello@1.0.0
expect_fail 5 'package: must be "acme/hello"' "answer for another package -> 5" \
	hf pkgmismatch acme/hello@1.0.0
expect_fail 2 'plain http is allowed only to a loopback address' "http to a non-loopback host -> 2" \
	"$MCP_FETCH" --registry http://192.0.2.1/m/ok --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'credentials in the URL are not allowed' "user:password in the URL -> 2" \
	"$MCP_FETCH" --registry "http://u:p@127.0.0.1:$PORT/m/ok" --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'URL has a query' "query in the registry URL -> 2" \
	"$MCP_FETCH" --registry "$U/ok?x=1" --cache-dir "$CACHE" acme/hello@1.0.0

# An interrupted transfer leaves no temporary file behind.
rm -rf "$CACHE"
"$MCP_FETCH" --registry "$U/stall" --cache-dir "$CACHE" acme/hello@1.0.0 \
	>"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ "$(count_tmp)" -eq 0 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "a temporary file exists during the transfer" test "$(count_tmp)" -eq 1
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM ends mcp-fetch by the signal ($rc)" test "$rc" -eq 143
check "SIGTERM removed the temporary file" test "$(count_tmp)" -eq 0

# --- the bearer token ----------------------------------------------------
stop_server
start_server --token s3cr3t-T0ken
U=http://127.0.0.1:$PORT/m
expect_fail 5 'HTTP 401 \(check MCP_REGISTRY_TOKEN or registry.token_file\): token required' \
	"no token -> 5" hf ok acme/hello@1.0.0
MCP_REGISTRY_TOKEN=s3cr3t-T0ken run hf presigned acme/hello@1.0.0
check "token from MCP_REGISTRY_TOKEN accepted ($rc)" test "$rc" -eq 0
check "the presigned URL was used" grep -q '^GET /blob/' "$T/server.log"
check "token never sent to the other origin" grep -q '^GET /blob/.* auth=no' "$T/server.log"
check "no token sent to /blob/ at all" test "$(grep -c '^GET /blob/.* auth=yes' "$T/server.log")" -eq 0
MCP_REGISTRY_TOKEN=wrong run hf ok acme/hello@1.0.0
check "wrong token -> 5" test "$rc" -eq 5
check "the token never appears in messages" test "$(grep -c wrong "$T/err")" -eq 0
printf 's3cr3t-T0ken\n' >"$T/token"
chmod 600 "$T/token"
printf 'registry:\n  token_file: %s\n' "$T/token" >"$T/cfg.yaml"
expect_ok "token from registry.token_file" hf ok --config "$T/cfg.yaml" acme/hello@1.0.0
chmod 644 "$T/token"
expect_fail 2 'token file .*: must be a regular file owned by you with mode 0600' \
	"readable token file -> 2" hf ok --config "$T/cfg.yaml" acme/hello@1.0.0
MCP_REGISTRY_TOKEN="$(printf 'a\r\nX-Evil: 1')" run hf ok acme/hello@1.0.0
check "token with CR/LF refused ($rc)" test "$rc" -eq 2
check "refusal does not show the token" test "$(grep -c Evil "$T/err")" -eq 0
stop_server

done_testing
