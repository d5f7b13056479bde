#!/bin/sh
# t1012: the cache stays valid whatever happens to a fetch.  A fetch
# killed with SIGKILL in the middle of a download leaves no partial blob
# under a digest name (a later fetch succeeds; the dead temporary file is
# ignored, then pruned); eight concurrent fetches of one package over
# HTTP leave one correct entry; --offline against a cached HTTP
# resolution works with no network at all.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
b=$(idx acme/hello '.versions["1.0.0"].bundle_digest')
BLOB=$(blob_path "$b")
start_server
U=http://127.0.0.1:$PORT/m
hmf() {
	"$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" "$@"
}

# --- SIGKILL mid-download ---------------------------------------------
# The "stall" mode sends half the bundle, then nothing for 20 s.
"$MCP_FETCH" --registry "$U/stall" --cache-dir "$CACHE" acme/hello@1.0.0 \
	>"$T/kill.out" 2>"$T/kill.err" &
pid=$!
i=0
while [ $i -lt 300 ]; do
	tmp=$(find "$CACHE" -name '.tmp-*' -size +0c 2>/dev/null | head -n 1)
	[ -n "$tmp" ] && break
	sleep 0.1
	i=$((i + 1))
done
check "the download was under way (a partial temporary file)" test -n "$tmp"
kill -KILL "$pid" 2>/dev/null
wait "$pid"
rc=$?
check "the fetch died of SIGKILL (status $rc)" test "$rc" -eq 137
check "no document printed" test ! -s "$T/kill.out"
check "no blob under the bundle's digest name" test ! -e "$BLOB"
check "only the temporary file was left" test "$(count_tmp)" -eq 1
expect_ok "a later fetch succeeds" hmf acme/hello@1.0.0
check "the bundle is complete and correct" cmp -s "$BLOB" "$REG/blobs/sha256/${b#sha256:}"
jq_check '.cache_hit == false' "the bundle was fetched again"
expect_ok "a later offline answer" hmf --offline acme/hello@1.0.0
[ -n "$tmp" ] && touch -d '2001-01-01 00:00:00 UTC' "$tmp"
expect_ok "a prune" mf --prune-age 3650d
check "the dead temporary file is cleaned by a prune" test "$(count_tmp)" -eq 0
check "the good blob stays" test -f "$BLOB"

# --- eight concurrent fetches --------------------------------------------
rm -rf "$CACHE"
pids=
for n in 1 2 3 4 5 6 7 8; do
	"$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" acme/hello@1.0.0 \
		>"$T/c$n.out" 2>"$T/c$n.err" &
	pids="$pids $!"
done
fails=0
for p in $pids; do
	wait "$p" || fails=$((fails + 1))
done
check "eight concurrent fetches all exit 0" test "$fails" -eq 0
good=0
for n in 1 2 3 4 5 6 7 8; do
	jq -e --arg b "$b" '.bundle.digest == $b' "$T/c$n.out" >/dev/null 2>&1 && good=$((good + 1))
done
check "eight documents name the bundle" test "$good" -eq 8
check "one bundle file, correct" cmp -s "$BLOB" "$REG/blobs/sha256/${b#sha256:}"
check "exactly two blobs (manifest and bundle)" test "$(find "$CACHE/sha256" -type f | wc -l)" -eq 2
check "no temporary file left" test "$(count_tmp)" -eq 0
check "the pins agree" jq_true "$CACHE/pins/acme/hello.json" --arg b "$b" '.versions["1.0.0"].bundle_digest == $b'
expect_ok "the cache answers offline" hmf --offline acme/hello@1.0.0

# --- fetches racing removals -------------------------------------------
# Ten rounds of a fetch racing --remove all: a fetch finds the whole blob
# or none (and fetches it again), never a partial one.
fails=0 bad=0 r=0
while [ $r -lt 10 ]; do
	"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" acme/hello@1.0.0 >"$T/race.out" 2>"$T/race.err" &
	p1=$!
	"$MCP_FETCH" --cache-dir "$CACHE" --remove all >/dev/null 2>"$T/rm.err" || fails=$((fails + 1))
	wait "$p1" || fails=$((fails + 1))
	jq -e --arg b "$b" '.bundle.digest == $b and .pin.state == "match"' "$T/race.out" >/dev/null || bad=$((bad + 1))
	r=$((r + 1))
done
check "ten fetches racing --remove all all succeed ($fails failures)" test "$fails" -eq 0
check "and each printed the right document ($bad bad)" test "$bad" -eq 0
expect_ok "the cache is consistent afterwards" mf acme/hello@1.0.0
check "no temporary file left by the race" test "$(count_tmp)" -eq 0
check "no tree set aside left" test -z "$(find "$CACHE" -name '.tmp-rm-*')"

# --- provably offline for an HTTP registry ----------------------------------
if command -v unshare >/dev/null 2>&1 && unshare -rn true 2>/dev/null; then
	: >"$T/server.log"
	expect_ok "--offline from a cached HTTP resolution inside unshare -rn" \
		unshare -rn "$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" \
		--offline acme/hello@1.0.0
	jq_check ".resolved_from == \"cache\" and .cache_hit == true and .registry == \"$U/ok\"" \
		"answered from the cache with no network"
	check "the server saw no request" test ! -s "$T/server.log"
	expect_fail 5 "resolve answer for acme/hello@latest: .*connect.*; giving up after [0-9]+ attempts" \
		"without --offline the same run needs the network -> 5" \
		unshare -rn "$MCP_FETCH" --registry "$U/ok" --cache-dir "$CACHE" acme/hello@latest
else
	skip "unshare -rn not permitted here (no unprivileged user namespaces)"
	skip "unshare -rn not permitted here"
	skip "unshare -rn not permitted here"
	skip "unshare -rn not permitted here"
fi

done_testing
