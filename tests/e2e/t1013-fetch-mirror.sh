#!/bin/sh
# t1013: --mirror copies resolved packages from any registry (HTTP or
# directory) into a directory registry an air-gapped site can rsync:
# blobs under blobs/sha256/HEX, the index merged, both written
# atomically.  A mirror never changes what a version is, and a client that
# pinned a version refuses a mirror whose index was edited to point it at
# other blobs.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkreg acme/hello 1.1.0 --status deprecated
mkreg acme/tools 0.3.0
M=$T/mirror
start_server
U=http://127.0.0.1:$PORT/m/ok

expect_ok "mirror two references from an HTTP registry" \
	"$MCP_FETCH" --registry "$U" --cache-dir "$CACHE" --mirror "$M" \
	acme/hello@1.0.0 acme/tools@latest
out_kind mcp.fetch-mirror/v1 "one mcp.fetch-mirror/v1 document"
jq_check ".mirror == \"$M\" and (.packages | length) == 2 and .packages[0].kind == \"mcp.fetch/v1\" and .packages[0].version == \"1.0.0\" and .packages[1].package == \"acme/tools\" and .packages[1].pin.state == \"new\"" \
	"one fetch document per reference"
for p in acme/hello@1.0.0 acme/tools@0.3.0; do
	pkg=${p%@*} v=${p#*@}
	for k in manifest_digest bundle_digest; do
		d=$(idx "$pkg" ".versions[\"$v\"].$k")
		check "$p $k mirrored byte for byte" cmp -s "$M/blobs/sha256/${d#sha256:}" "$REG/blobs/sha256/${d#sha256:}"
	done
done
check "mirrored blobs are world-readable (rsync, a web server)" \
	test "$(stat -c %a "$M/blobs/sha256/$(idx acme/hello '.versions["1.0.0"].bundle_digest' | cut -c8-)")" = 644
jq_check "(.versions | keys) == [\"1.0.0\"] and .package == \"acme/hello\" and .versions[\"1.0.0\"] == $(idx acme/hello '.versions["1.0.0"]' | jq -c .)" \
	"the index entry is the registry's" "$M/packages/acme/hello.json"
check "no temporary file left in the mirror" test -z "$(find "$M" -name '.tmp-*')"

expect_ok "a second mirror run merges" \
	"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" --mirror "file://$M" acme/hello@1.1.0
jq_check '(.versions | keys) == ["1.0.0", "1.1.0"] and .versions["1.1.0"].status == "deprecated"' \
	"both versions in the index" "$M/packages/acme/hello.json"
expect_ok "mirroring the same version again is idempotent" \
	"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" --mirror "$M" acme/hello@1.0.0

# The mirror is a registry: a client fetches from it with no other source.
C2=$T/client
expect_ok "a client fetches @latest from the mirror" \
	"$MCP_FETCH" --registry "$M" --cache-dir "$C2" acme/hello@latest
jq_check ".registry == \"file://$M\" and .version == \"1.0.0\" and .bundle.digest == \"$(idx acme/hello '.versions["1.0.0"].bundle_digest')\"" \
	"resolved by the mirror (1.1.0 is deprecated, so not latest)"
expect_ok "and by digest" "$MCP_FETCH" --registry "$M" --cache-dir "$C2" \
	"acme/tools@$(idx acme/tools '.versions["0.3.0"].bundle_digest')"

# A status change follows the registry; the digests do not.
mkreg acme/hello 1.0.0 --status revoked
expect_ok "a revoked version is re-mirrored with --allow-status" \
	"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" --allow-status revoked --mirror "$M" acme/hello@1.0.0
jq_check '.versions["1.0.0"].status == "revoked"' "the mirror says revoked" "$M/packages/acme/hello.json"
mkreg acme/hello 1.0.0
expect_ok "published again" \
	"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" --mirror "$M" acme/hello@1.0.0
jq_check '.versions["1.0.0"].status == "published"' "the mirror follows" "$M/packages/acme/hello.json"

# A registry that changed a version's bytes cannot overwrite the mirror.
b11=$(idx acme/hello '.versions["1.1.0"].bundle_digest')
m11=$(idx acme/hello '.versions["1.1.0"].manifest_digest')
b10=$(idx acme/hello '.versions["1.0.0"].bundle_digest')
m10=$(idx acme/hello '.versions["1.0.0"].manifest_digest')
mkdir -p "$T/evil"
cp -R "$REG/." "$T/evil/"
jq ".versions[\"1.0.0\"].bundle_digest = \"$b11\" | .versions[\"1.0.0\"].manifest_digest = \"$m11\" | .versions[\"1.0.0\"].bundle_size = $(idx acme/hello '.versions["1.1.0"].bundle_size')" \
	"$REG/packages/acme/hello.json" >"$T/evil/packages/acme/hello.json"
expect_fail 4 "mirror $M: acme/hello 1\.0\.0 holds manifest $m10 and bundle $b10, not $m11 and $b11 \(use --repin" \
	"another version's bytes cannot replace a mirrored version -> 4" \
	"$MCP_FETCH" --registry "$T/evil" --cache-dir "$T/fresh" --mirror "$M" acme/hello@1.0.0
jq_check ".versions[\"1.0.0\"].bundle_digest == \"$b10\"" "the mirror's index is unchanged" "$M/packages/acme/hello.json"

# An edited mirror cannot roll a client back: the client's pins refuse it.
expect_ok "the client has 1.0.0 pinned from the mirror" \
	"$MCP_FETCH" --registry "$M" --cache-dir "$C2" acme/hello@1.0.0
jq ".versions[\"1.0.0\"].bundle_digest = \"$b11\" | .versions[\"1.0.0\"].manifest_digest = \"$m11\"" \
	"$M/packages/acme/hello.json" >"$T/edited.json"
cp "$T/edited.json" "$M/packages/acme/hello.json"
expect_fail 4 "acme/hello 1\.0\.0: pinned to manifest $m10 and bundle $b10, but the registry now answers manifest $m11 and bundle $b11" \
	"a mirror edited to point a pinned version at other blobs -> 4" \
	"$MCP_FETCH" --registry "$M" --cache-dir "$C2" acme/hello@1.0.0

# --- usage --------------------------------------------------------------
expect_fail 2 'unexpected argument "acme/tools@latest" after the reference' \
	"several references need --mirror -> 2" mf acme/hello@1.0.0 acme/tools@latest
expect_fail 2 "option --mirror: $REG is the registry itself" "mirror onto the registry -> 2" \
	mf --mirror "$REG" acme/hello@1.0.0
expect_fail 2 'option --mirror conflicts with --list' "--mirror with --list -> 2" mf --mirror "$M" --list
expect_fail 2 'reference "acme/x@nope"|acme/x@nope' "a bad reference anywhere -> 2 before any work" \
	mf --mirror "$T/m3" acme/hello@1.0.0 acme/x@nope
check "nothing mirrored when a reference is malformed" test ! -e "$T/m3"

done_testing
