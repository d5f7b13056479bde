#!/bin/sh
# t1006: a directory registry's package index is parsed strictly and every
# entry checked; one malformed entry rejects the whole index (exit 5).
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkreg acme/hello 1.1.0
I=$REG/packages/acme/hello.json
cp "$I" "$T/good.json"

# jq-edit#message fragment
while IFS='#' read -r edit pat; do
	[ -n "$edit" ] || continue
	jq "$edit" "$T/good.json" >"$I"
	expect_fail 5 "packages/acme/hello\.json.*$pat" "index with $edit -> 5" \
		mf acme/hello@1.0.0
done <<'EOT'
.package = "acme/other"#package: must be "acme/hello"
del(.package)#package: must be "acme/hello"
.origin = "mystery"#origin: must be official, verified or community
.versions = []#versions: must be an object
.versions["1.1.0"].manifest_digest = "sha256:ABC"#manifest_digest: .* is not sha256:
.versions["1.1.0"].bundle_digest |= ascii_upcase#bundle_digest: .* is not sha256:
.versions["1.1.0"].bundle_digest = ("sha512:" + "0" * 128)#bundle_digest: .* is not sha256:
del(.versions["1.1.0"].manifest_digest)#missing "manifest_digest"
.versions["1.1.0"].status = "gone"#status: unknown value "gone"
.versions["1.1.0"].status = 1#status: must be a string
.versions["1.1.0"].certification_level = 4#certification_level: must be an integer from 0 to 3
.versions["1.1.0"].certification_level = -1#certification_level: must be an integer from 0 to 3
.versions["1.1.0"].certification_level = "2"#certification_level: must be an integer
.versions["1.1.0"].certification_level = 1.5#certification_level: must be an integer
.versions["1.1.0"].git_sha = "abc123"#git_sha: "abc123" is not 40 lowercase hex
.versions["1.1.0"].git_sha |= ascii_upcase#git_sha: .* is not 40 lowercase hex
.versions["1.1.0"].bundle_size = 0#bundle_size: must be an integer from 1
.versions["1.1.0"].bundle_size = -5#bundle_size: must be an integer from 1
.versions["1.1.0"].bundle_size = 10.5#bundle_size: must be an integer from 1
.versions["1.1.0"].bundle_size = "100"#bundle_size: must be an integer from 1
del(.versions["1.1.0"].bundle_size)#missing "bundle_size"
.versions["1.1.0"].version = "1.2.0"#version: "1.2.0" differs from its key
.versions["1.1.0"].version = "one"#version: "one" is not a semantic version
.versions["1.1.0"] = "x"#versions.1.1.0: must be an object
EOT

# Byte-level damage jq cannot produce.
printf '{"package":"acme/hello","package":"acme/hello","versions":{}}' >"$I"
expect_fail 5 'hello\.json.*duplicate' "duplicate key -> 5" mf acme/hello@1.0.0
{ cat "$T/good.json"; echo '{}'; } >"$I"
expect_fail 5 'hello\.json' "trailing data -> 5" mf acme/hello@1.0.0
printf '\357\273\277' >"$I"; cat "$T/good.json" >>"$I"
expect_fail 5 'byte order mark' "BOM -> 5" mf acme/hello@1.0.0
printf '{"package":"acme/hello","versions":{},}' >"$I"
expect_fail 5 'hello\.json' "trailing comma -> 5" mf acme/hello@1.0.0
printf '[]' >"$I"
expect_fail 5 'hello\.json: must be a JSON object' "array index -> 5" mf acme/hello@1.0.0
head -c 4194305 /dev/zero | tr '\0' ' ' >"$I"
expect_fail 5 'larger than 4194304 bytes' "oversized index -> 5" mf acme/hello@1.0.0
rm -f "$I"
mkdir "$I"
expect_fail 5 'not a regular file' "index is a directory -> 5" mf acme/hello@1.0.0
rmdir "$I"
if command -v mkfifo >/dev/null 2>&1; then
	mkfifo "$I"
	expect_fail 5 'not a regular file' "index is a FIFO -> 5 without hanging" \
		timeout 20 "$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" acme/hello@1.0.0
	rm -f "$I"
else
	skip "mkfifo not available"
fi

# Blobs: missing, or not a regular file.
cp "$T/good.json" "$I"
b=$(idx acme/hello '.versions["1.0.0"].bundle_digest')
mv "$REG/blobs/sha256/${b#sha256:}" "$T/saved"
expect_fail 5 "bundle $b: not found in registry file://" "missing blob -> 5" \
	mf acme/hello@1.0.0
mkdir "$REG/blobs/sha256/${b#sha256:}"
expect_fail 5 'registry blob blobs/sha256/[0-9a-f]{64}: not a regular file' \
	"blob is a directory -> 5" mf acme/hello@1.0.0
rmdir "$REG/blobs/sha256/${b#sha256:}"
mv "$T/saved" "$REG/blobs/sha256/${b#sha256:}"
expect_ok "intact registry works again" mf acme/hello@1.0.0

# Hostile text in the index never reaches the terminal raw.
jq '.versions["1.1.0"].status = "\u001b[31mred"' "$T/good.json" >"$I"
expect_fail 5 'status: unknown value "\\x1b\[31mred"' "escape in status is escaped" \
	mf acme/hello@1.0.0

done_testing
