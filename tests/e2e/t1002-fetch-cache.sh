#!/bin/sh
# t1002: the cache: hits are re-hashed, corrupt blobs are repaired, a blob
# whose bytes do not match its name never enters the cache, sizes are
# bounded, --offline answers from the cache only, digest references are
# not re-resolved, and concurrent fetches leave one correct entry.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkreg acme/hello 1.1.0
m=$(idx acme/hello '.versions["1.1.0"].manifest_digest')
b=$(idx acme/hello '.versions["1.1.0"].bundle_digest')

# --- hits and repairs ---------------------------------------------------
expect_ok "first fetch" mf acme/hello@1.1.0
jq_check '.cache_hit == false' "first fetch copies"
expect_ok "second fetch" mf acme/hello@1.1.0
jq_check '.cache_hit == true' "second fetch is a cache hit"
check "a cache hit prints nothing on stderr" test ! -s "$T/err"

bp=$(blob_path "$b")
chmod u+w "$bp"
printf 'garbage' >"$bp"
expect_ok "corrupt cached bundle is repaired" mf acme/hello@1.1.0
jq_check '.cache_hit == false' "repair is not a cache hit"
check "repair warns on stderr" grep -q "warning: .*cached bundle was corrupt (its content hashes to sha256:" "$T/err"
check "repaired blob has the right digest" \
	test "$(sha256sum <"$bp" | cut -d' ' -f1)" = "${b#sha256:}"

mp=$(blob_path "$m")
rm -f "$mp"
ln -s "$bp" "$mp"
expect_ok "symlink in place of a cached manifest is replaced" mf acme/hello@1.1.0
check "symlink is gone" test ! -L "$mp" -a -f "$mp"
check "symlink warning" grep -q "warning: .*a symbolic link" "$T/err"
expect_ok "quiet repair" mf -q acme/hello@1.1.0
check "-q prints nothing" test ! -s "$T/err"

# --- bytes that do not match their name ---------------------------------
mkreg acme/bad 1.0.0
bb=$(idx acme/bad '.versions["1.0.0"].bundle_digest')
rb=$REG/blobs/sha256/${bb#sha256:}
# Same length, one byte changed: only the digest can tell.
printf 'Z' | dd of="$rb" bs=1 seek=20 conv=notrunc 2>/dev/null
expect_fail 4 "bundle $bb: digest mismatch: expected $bb, got sha256:[0-9a-f]{64}" \
	"bundle bytes not matching their name -> 4" mf acme/bad@1.0.0
check "nothing on stdout" test ! -s "$T/out"
check "no cache file for the bad bundle" test ! -e "$(blob_path "$bb")"
check "no temporary file left" test "$(count_tmp)" -eq 0

mkreg acme/big 1.0.0
gb=$(idx acme/big '.versions["1.0.0"].bundle_digest')
gs=$(idx acme/big '.versions["1.0.0"].bundle_size')
cp "$REG/blobs/sha256/${gb#sha256:}" "$T/orig"
printf 'extra bytes' >>"$REG/blobs/sha256/${gb#sha256:}"
expect_fail 4 "bundle $gb: larger than its declared size of $gs bytes" \
	"bundle longer than bundle_size -> 4" mf acme/big@1.0.0
check "no cache file for the long bundle" test ! -e "$(blob_path "$gb")"
head -c 10 "$T/orig" >"$REG/blobs/sha256/${gb#sha256:}"
expect_fail 4 "bundle $gb: size 10 bytes, expected $gs" \
	"bundle shorter than bundle_size -> 4" mf acme/big@1.0.0
check "no temporary file left after size errors" test "$(count_tmp)" -eq 0

# A manifest over the 10 MiB cap: stopped while streaming.
head -c 10485761 /dev/zero >"$T/huge"
hh=$(sha256sum <"$T/huge" | cut -d' ' -f1)
cp "$T/huge" "$REG/blobs/sha256/$hh"
jq --arg d "sha256:$hh" '.versions["1.0.0"].manifest_digest = $d' \
	"$REG/packages/acme/big.json" >"$T/i" && mv "$T/i" "$REG/packages/acme/big.json"
expect_fail 4 "manifest sha256:$hh: larger than the cap of 10485760 bytes" \
	"manifest over 10 MiB -> 4" mf acme/big@1.0.0
check "no cache file for the huge manifest" test ! -e "$(blob_path "sha256:$hh")"
jq '.versions["1.0.0"].bundle_size = 104857601' \
	"$REG/packages/acme/big.json" >"$T/i" && mv "$T/i" "$REG/packages/acme/big.json"
expect_fail 5 "size 104857601 bytes is over the cap of 104857600" \
	"bundle_size over 100 MiB -> 5 before any transfer" mf acme/big@1.0.0

# --- offline ------------------------------------------------------------
expect_fail 5 'acme/hello@latest: no cached resolution for registry file://.*\(offline\)' \
	"--offline without a cached resolution -> 5" mf --offline acme/hello@latest
expect_ok "online latest" mf acme/hello@latest
jq_check '.version == "1.1.0"' "latest is 1.1.0"
mv "$REG" "$T/reg.away"
expect_ok "--offline with the registry gone" mf --offline -v acme/hello@latest
jq_check '.version == "1.1.0" and .resolved_from == "cache" and .cache_hit == true' \
	"offline answer comes from the cache"
check "-v says the registry was not contacted" grep -q "offline, registry not contacted" "$T/err"
expect_fail 5 "registry .*No such file" "online latest fails with the registry gone" \
	mf acme/hello@latest
mv "$T/reg.away" "$REG"
mkreg acme/hello 1.2.0
expect_ok "offline keeps the recorded answer" mf --offline acme/hello@latest
jq_check '.version == "1.1.0"' "offline latest is still 1.1.0"
expect_ok "online latest re-resolves" mf acme/hello@latest
jq_check '.version == "1.2.0" and .resolved_from == "registry"' "online latest is 1.2.0"
expect_ok "offline now answers 1.2.0" mf --offline acme/hello@latest
jq_check '.version == "1.2.0"' "record updated"
expect_fail 5 "acme/hello@1.0.0: no cached resolution" \
	"--offline for a version never fetched -> 5" mf --offline acme/hello@1.0.0
m12=$(idx acme/hello '.versions["1.2.0"].manifest_digest')
chmod u+w "$(blob_path "$m12")"
rm -f "$(blob_path "$m12")"
expect_fail 5 "acme/hello@latest: manifest $m12 is not in the cache \(offline\)" \
	"--offline with a cached resolution but no blob -> 5" mf --offline acme/hello@latest

# --- digest references are immutable -------------------------------------
b10=$(idx acme/hello '.versions["1.0.0"].bundle_digest')
expect_ok "fetch by bundle digest" mf "acme/hello@$b10"
jq_check '.resolved_from == "registry"' "first digest fetch resolves"
mv "$REG" "$T/reg.away"
expect_ok "digest ref answered from the cache" mf "acme/hello@$b10"
jq_check '.resolved_from == "cache" and .version == "1.0.0"' "no re-resolution for a digest"
expect_fail 5 "registry .*No such file" "--refresh re-resolves a digest" \
	mf --refresh "acme/hello@$b10"
mv "$T/reg.away" "$REG"
expect_ok "--refresh with the registry back" mf --refresh "acme/hello@$b10"
jq_check '.resolved_from == "registry"' "--refresh resolved"

# A tampered resolution record is refused offline.
rec=$(find "$CACHE/resolved" -name 'latest.json')
printf '{"kind":"mcp.fetch-resolution/v1",' >"$rec"
expect_fail 5 "cached resolution .*latest.json" "malformed record -> 5 offline" \
	mf --offline acme/hello@latest
expect_ok "online fetch rewrites the record" mf acme/hello@latest
expect_ok "offline works again" mf --offline acme/hello@latest

# --- concurrency --------------------------------------------------------
mkreg acme/race 1.0.0
rb=$(idx acme/race '.versions["1.0.0"].bundle_digest')
rm -rf "$T/cc"
i=0
while [ $i -lt 8 ]; do
	timeout 60 "$MCP_FETCH" --registry "$REG" --cache-dir "$T/cc" acme/race@1.0.0 \
		>"$T/race.$i.out" 2>"$T/race.$i.err" &
	i=$((i + 1))
done
fails=0
for job in $(jobs -p); do
	wait "$job" || fails=$((fails + 1))
done
check "8 concurrent fetches all exit 0" test "$fails" -eq 0
check "all 8 documents agree" test "$(cat "$T"/race.*.out | jq -c '[.bundle.digest, .bundle.path, .manifest.path]' | sort -u | wc -l)" -eq 1
check "no stderr from concurrent fetches" test "$(cat "$T"/race.*.err | wc -c)" -eq 0
check "one cache entry per artifact" test "$(find "$T/cc/sha256" -type f | wc -l)" -eq 2
check "no temporary files after the race" test "$(find "$T/cc" -name '.tmp-*' | wc -l)" -eq 0
hexr=${rb#sha256:}
check "the raced bundle is correct" \
	test "$(sha256sum <"$T/cc/sha256/$(printf %s "$hexr" | cut -c1-2)/$hexr" | cut -d' ' -f1)" = "$hexr"

done_testing
