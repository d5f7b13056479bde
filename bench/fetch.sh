#!/bin/sh
# bench/fetch.sh: mcp-fetch against the floor of what it does.
#
#  1. download: a 95 MiB bundle from the loopback test registry server
#     (tests/e2e/fetch-server.py, serving with sendfile) into a cold
#     cache, against `curl -o` of the same URL and against `curl -o`
#     followed by `openssl dgst -sha256` (what a careful script does).
#     Interleaved runs, medians.  Target: <= 1.0x of curl + openssl.
#  2. warm hit: mcp-fetch answering a 10 MiB bundle from the cache (it
#     re-hashes the blob), against `openssl dgst -sha256` of the file.
#
# Files live on /dev/shm when it exists, so the disk's write-back does
# not dominate.  Environment: MCP_FETCH (the binary), MCP_BENCH_RUNS
# (runs of each, default 5), MCP_BENCH_DIR, PYTHON3.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
F=${MCP_FETCH:-${top_builddir:-.}/mcp-fetch/mcp-fetch}
RUNS=${MCP_BENCH_RUNS:-5}
PY=${PYTHON3:-python3}
[ "$PY" = no ] && PY=python3
base=${MCP_BENCH_DIR:-}
if [ -z "$base" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
fi
D=$(mktemp -d "$base/mcp-bench-fetch.XXXXXX")
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	chmod -R u+w "$D" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ -x "$F" ] || { echo "fetch.sh: $F is not built" >&2; exit 1; }
for t in curl openssl jq bc; do
	command -v "$t" >/dev/null 2>&1 || { echo "fetch.sh: $t is needed" >&2; exit 1; }
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*' NO_PROXY='*'

# A directory registry with bench/big@1.0.0 (95 MiB) and bench/warm@1.0.0
# (10 MiB); the bundles are random bytes: mcp-fetch checks digests and
# sizes, not archive contents.
"$PY" - "$D/reg" <<'PYEOF'
import hashlib, json, os, sys
reg = sys.argv[1]
os.makedirs(os.path.join(reg, "blobs", "sha256"))
def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(reg, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return "sha256:" + h
for name, mib in (("big", 95), ("warm", 10)):
    bundle = os.urandom(mib * 1024 * 1024)
    b = put(bundle)
    m = put(json.dumps({"schema_version": "1",
                        "package": {"id": "bench/" + name,
                                    "version": "1.0.0"},
                        "bundle": {"digest": b,
                                   "size_bytes": len(bundle)}}).encode())
    d = os.path.join(reg, "packages", "bench")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".json"), "w") as f:
        json.dump({"package": "bench/" + name, "origin": "community",
                   "versions": {"1.0.0": {
                       "version": "1.0.0", "git_sha": None,
                       "status": "published", "certification_level": 1,
                       "manifest_digest": m, "bundle_digest": b,
                       "bundle_size": len(bundle)}}}, f)
PYEOF

"$PY" "$top_srcdir/tests/e2e/fetch-server.py" "$D/reg" "$D/port" 2>"$D/server.err" &
SRV=$!
i=0
while [ ! -s "$D/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$D/port" ] || { echo "fetch.sh: server did not start" >&2; cat "$D/server.err" >&2; exit 1; }
U=http://127.0.0.1:$(cat "$D/port")/m/ok
BIG=$(jq -r '.versions["1.0.0"].bundle_digest' "$D/reg/packages/bench/big.json")
URL=$U/v1/org/bench/artifacts/$BIG/bundle

now() { date +%s.%N; }
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

run_fetch() {
	rm -rf "$D/cache"
	t0=$(now)
	"$F" --quiet --registry "$U" --cache-dir "$D/cache" bench/big@1.0.0 >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$D/t.fetch"
}
run_curl() {
	rm -f "$D/curl.out"
	t0=$(now)
	curl -sS --fail -o "$D/curl.out" "$URL"
	t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$D/t.curl"
}
run_curl_dgst() {
	rm -f "$D/curl.out"
	t0=$(now)
	curl -sS --fail -o "$D/curl.out" "$URL"
	openssl dgst -sha256 "$D/curl.out" >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$D/t.curldgst"
}
# Warm-up (page cache, server threads), then interleaved runs, rotating
# who goes first.
run_fetch; run_curl; : >"$D/t.fetch"; : >"$D/t.curl"
r=1
while [ $r -le "$RUNS" ]; do
	case $((r % 3)) in
	0) run_fetch; run_curl; run_curl_dgst ;;
	1) run_curl; run_curl_dgst; run_fetch ;;
	2) run_curl_dgst; run_fetch; run_curl ;;
	esac
	r=$((r + 1))
done
mf=$(median <"$D/t.fetch")
mc=$(median <"$D/t.curl")
mcd=$(median <"$D/t.curldgst")
printf 'download 95 MiB, median of %d: mcp-fetch %.3f s, curl -o %.3f s, curl -o + openssl dgst %.3f s\n' \
	"$RUNS" "$mf" "$mc" "$mcd"
printf '  mcp-fetch / curl -o            = %.2fx\n' "$(echo "$mf / $mc" | bc -l)"
printf '  mcp-fetch / curl + openssl dgst = %.2fx (target <= 1.0x)\n' "$(echo "$mf / $mcd" | bc -l)"

# --- warm cache hit ------------------------------------------------------
"$F" --quiet --registry "$U" --cache-dir "$D/cache" bench/warm@1.0.0 >"$D/warm.json"
WARM=$(jq -r .bundle.path "$D/warm.json")
WREF=bench/warm@$(jq -r .bundle.digest "$D/warm.json")
: >"$D/t.hit"; : >"$D/t.dgst"
r=1
while [ $r -le "$RUNS" ]; do
	t0=$(now)
	"$F" --quiet --registry "$U" --cache-dir "$D/cache" "$WREF" >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$D/t.hit"
	t0=$(now)
	openssl dgst -sha256 "$WARM" >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$D/t.dgst"
	r=$((r + 1))
done
mh=$(median <"$D/t.hit")
md=$(median <"$D/t.dgst")
printf 'warm hit 10 MiB, median of %d: mcp-fetch %.4f s, openssl dgst -sha256 %.4f s = %.2fx\n' \
	"$RUNS" "$mh" "$md" "$(echo "$mh / $md" | bc -l)"
