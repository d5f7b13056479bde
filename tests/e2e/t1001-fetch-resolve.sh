#!/bin/sh
# t1001: resolution over a directory registry: version, latest (pre-release,
# deprecated and draft versions present), git sha, manifest and bundle
# digests, unknown packages and versions, and the document's members.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkreg acme/hello 1.2.0
mkreg acme/hello 1.10.0 --cert 2 --origin official
mkreg acme/hello 2.0.0-rc.1
mkreg acme/hello 3.0.0 --status deprecated
mkreg acme/hello 4.0.0 --status draft
mkreg acme/hello 1.3.0 --no-git-sha
mkreg acme/solo 0.1.0 --status deprecated

expect_ok "fetch by version" mf acme/hello@1.2.0
out_kind mcp.fetch/v1 "one mcp.fetch/v1 document"
jq_check '.ref == "acme/hello@1.2.0" and .package == "acme/hello" and .version == "1.2.0"' \
	"identity members"
m=$(idx acme/hello '.versions["1.2.0"].manifest_digest')
b=$(idx acme/hello '.versions["1.2.0"].bundle_digest')
bs=$(idx acme/hello '.versions["1.2.0"].bundle_size')
g=$(idx acme/hello '.versions["1.2.0"].git_sha')
jq_check ".manifest.digest == \"$m\" and .bundle.digest == \"$b\" and .bundle.size_bytes == $bs" \
	"digests and bundle size from the index"
jq_check ".git_sha == \"$g\" and .status == \"published\" and .certification_level == 1 and .origin == \"community\"" \
	"git_sha, status, certification, origin"
jq_check ".registry == \"file://$REG\"" "registry is the canonical file: URL"
jq_check ".manifest.path == \"$(blob_path "$m")\" and .bundle.path == \"$(blob_path "$b")\"" \
	"paths follow DIR/sha256/ab/HEX"
jq_check '.cache_hit == false and .resolved_from == "registry"' "first fetch is no cache hit"
jq_check '(.fetched_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and (.resolved_at | test("Z$"))' \
	"times are RFC 3339 UTC"
jq_check '.manifest.size_bytes > 0' "manifest size recorded"
msize=$(wc -c <"$(blob_path "$m")")
jq_check ".manifest.size_bytes == $msize" "manifest size is the real size"
if cmp -s "$(blob_path "$b")" "$REG/blobs/sha256/${b#sha256:}" &&
   [ "$(sha256sum <"$(blob_path "$m")" | cut -d' ' -f1)" = "${m#sha256:}" ]; then
	ok "cached blobs are the registry's bytes"
else
	not_ok "cached blobs are the registry's bytes"
fi
mode=$(stat -c %a "$(blob_path "$b")")
check "cached blob is read-only ($mode)" test "$mode" = 444
mode=$(stat -c %a "$CACHE")
check "cache directory is traversable, not listable ($mode)" test "$mode" = 711
mode=$(stat -c %a "$(dirname "$(dirname "$(blob_path "$b")")")")
check "blob directory is private ($mode)" test "$mode" = 700
check "no temporary files left" test "$(count_tmp)" -eq 0

# latest: 1.10.0 beats 1.2.0 numerically; the pre-release, the deprecated
# 3.0.0 and the draft 4.0.0 do not count.
expect_ok "fetch latest" mf acme/hello@latest
jq_check '.version == "1.10.0" and .ref == "acme/hello@latest"' \
	"latest is the highest published release (semver order)"
jq_check '.certification_level == 2 and .origin == "community"' \
	"index origin applies to every version"

expect_ok "fetch a pre-release by version" mf acme/hello@2.0.0-rc.1
jq_check '.version == "2.0.0-rc.1"' "pre-release resolved exactly"
expect_ok "fetch a deprecated version" mf acme/hello@3.0.0
jq_check '.status == "deprecated"' "deprecated status carried"
expect_ok "fetch a draft version" mf acme/hello@4.0.0
jq_check '.status == "draft"' "draft status carried (mcp-policy judges it)"
expect_ok "fetch a version without git sha" mf acme/hello@1.3.0
jq_check '.git_sha == null' "absent git sha is null"

expect_ok "fetch by git sha" mf "acme/hello@$g"
jq_check ".version == \"1.2.0\" and .ref == \"acme/hello@$g\"" "git sha resolves to its version"
expect_ok "fetch by manifest digest" mf "acme/hello@$m"
jq_check '.version == "1.2.0"' "manifest digest resolves"
expect_ok "fetch by bundle digest" mf "acme/hello@$b"
jq_check ".version == \"1.2.0\" and .bundle.digest == \"$b\"" "bundle digest resolves"

expect_fail 5 'no published release' "latest with no published release -> 5" \
	mf acme/solo@latest
check "nothing on stdout" test ! -s "$T/out"
expect_fail 5 'acme/nope: package not found in registry file://' \
	"unknown package -> 5" mf acme/nope@1.0.0
expect_fail 5 'acme/hello@9\.9\.9: no matching version' "unknown version -> 5" \
	mf acme/hello@9.9.9
expect_fail 5 'no matching version' "unknown git sha -> 5" \
	mf acme/hello@0000000000000000000000000000000000000000
expect_fail 5 'no matching version' "unknown digest -> 5" \
	mf "acme/hello@sha256:$(printf x | sha256sum | cut -d' ' -f1)"
expect_fail 5 'registry .*No such file or directory' "missing registry directory -> 5" \
	"$MCP_FETCH" --registry "$T/none" --cache-dir "$CACHE" acme/hello@1.0.0

# Two versions with one git sha: the reference is ambiguous.
mkreg acme/twin 1.0.0 --git-sha 1111111111111111111111111111111111111111
mkreg acme/twin 1.0.1 --git-sha 1111111111111111111111111111111111111111
expect_fail 5 'ambiguous' "git sha of two versions -> 5" \
	mf acme/twin@1111111111111111111111111111111111111111

# Registry as file:// URL, and as a relative path: same canonical URL.
expect_ok "file:// registry" "$MCP_FETCH" --registry "file://$REG" --cache-dir "$CACHE" acme/hello@1.0.0
jq_check ".registry == \"file://$REG\"" "file: URL kept canonical"
mkdir -p "$T/sub"
(cd "$T/sub" && "$MCP_FETCH" --registry ../reg --cache-dir ../cache acme/hello@1.0.0) >"$T/out" 2>"$T/err"
rc=$?
check "relative registry and cache dir work" test "$rc" -eq 0
jq_check ".registry == \"file://$REG\" and (.bundle.path | startswith(\"$CACHE/\"))" \
	"relative paths made absolute"

done_testing
