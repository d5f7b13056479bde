#!/bin/sh
# mcp-verify bounds what a bundle may unpack to (bytes, entries, depth,
# name lengths) and refuses archives that are not one gzip layer over tar.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

# A 2 GiB file of zeros in 2 MiB of gzip: refused at its header, long
# before 1 GiB is written (the whole run stays well under 10 s).
$MKTAR "$T/bomb.tgz" --bomb big 2048
_t0=$(date +%s)
expect_fail 4 'bundle: entry "big": extracted data would exceed 1073741824 bytes' \
	'gzip bomb (2 GiB in one entry) refused' verify_bundle "$T/bomb.tgz"
_t1=$(date +%s)
check 'gzip bomb refused quickly' test $((_t1 - _t0)) -lt 10
clean 'gzip bomb' "$T/bomb.tgz"

# The running total over several entries.
$MKTAR "$T/three.tgz" x:bin/server:hi z:a:600000 z:b:600000 z:c:600000
expect_fail 4 'entry "b": extracted data would exceed 1048576 bytes' \
	'total over --max-bytes refused' verify_bundle "$T/three.tgz" --max-bytes 1M
clean 'total over --max-bytes' "$T/three.tgz"
expect_ok 'the same bundle under a larger --max-bytes' \
	verify_bundle "$T/three.tgz" --max-bytes 2M

$MKTAR "$T/many.tgz" x:bin/server:hi f:1 f:2 f:3 f:4 f:5 f:6 f:7 f:8 f:9 f:10
expect_fail 4 'bundle: more than 10 entries' 'more than --max-entries refused' \
	verify_bundle "$T/many.tgz" --max-entries 10
clean 'more than --max-entries' "$T/many.tgz"
expect_ok 'exactly --max-entries accepted (implicit directories count)' \
	verify_bundle "$T/many.tgz" --max-entries 12

# Depth 64 is allowed, 65 is not.
d64=$(printf 'd/%.0s' $(seq 63))f
d65=$(printf 'd/%.0s' $(seq 64))f
$MKTAR "$T/deep.tgz" x:bin/server:hi "f:$d64:x"
expect_ok 'a path 64 components deep' verify_bundle "$T/deep.tgz"
refuse 'deeper than 64 directories' 'a path 65 components deep' "f:$d65:x"

# Components of 255 bytes are allowed, 256 are not; paths up to 4096.
c255=$(printf 'a%.0s' $(seq 255))
c256=$(printf 'a%.0s' $(seq 256))
$MKTAR "$T/long.tgz" x:bin/server:hi "f:$c255:x"
expect_ok 'a 255-byte name' verify_bundle "$T/long.tgz"
refuse 'a component is longer than 255 bytes' 'a 256-byte name' "f:$c256:x"
p4097=$(printf "$c255/%.0s" $(seq 16))$(printf 'b%.0s' $(seq 1))
refuse 'name longer than 4096 bytes' 'a 4097-byte path' "f:$p4097:x"

# Truncated and malformed input.
# Random data does not compress: cutting the archive in half cuts a file.
mkdir -p "$T/src/bin"
printf '#!/bin/sh\n' >"$T/src/bin/server"
chmod 755 "$T/src/bin/server"
head -c 200000 /dev/urandom >"$T/src/random"
(cd "$T/src" && tar -czf "$T/good.tgz" bin random)
expect_ok 'an archive made by tar(1)' verify_bundle "$T/good.tgz"
head -c $(($(size_of "$T/good.tgz") / 2)) "$T/good.tgz" >"$T/trunc.tgz"
expect_fail 4 'bundle: .*([Tt]runcat|[Pp]remature|[Dd]amaged|unexpected end)' \
	'truncated archive refused' verify_bundle "$T/trunc.tgz"
clean 'truncated archive' "$T/trunc.tgz"

echo 'just text' >"$T/text.tgz"
expect_fail 4 'bundle: not a gzip-compressed tar archive$' \
	'plain text refused' verify_bundle "$T/text.tgz"
clean 'plain text' "$T/text.tgz"

$MKTAR "$T/plain.tar" --no-gzip x:bin/server:hi
expect_fail 4 'bundle: not a gzip-compressed tar archive$' \
	'uncompressed tar refused' verify_bundle "$T/plain.tar"
clean 'uncompressed tar' "$T/plain.tar"

: >"$T/empty.tgz"
expect_fail 4 'bundle: not a gzip-compressed tar archive$' \
	'empty file refused' verify_bundle "$T/empty.tgz"

echo 'not a tar archive at all' | gzip >"$T/gztext.tgz"
expect_fail 4 'bundle: Unrecognized archive format' \
	'gzip of something else refused' verify_bundle "$T/gztext.tgz"
clean 'gzip of something else' "$T/gztext.tgz"

gzip -c "$T/good.tgz" >"$T/nested.tgz"
expect_fail 4 'bundle: not a gzip-compressed tar archive \(nested compression\)' \
	'gzip inside gzip refused' verify_bundle "$T/nested.tgz"
clean 'nested compression' "$T/nested.tgz"

$MKTAR "$T/noentry.tgz"
expect_fail 4 'bundle: empty archive' 'archive without entries refused' \
	verify_bundle "$T/noentry.tgz"
clean 'archive without entries' "$T/noentry.tgz"

expect_fail 2 'option --max-bytes: "lots" is not a size' 'bad --max-bytes' \
	verify_bundle "$T/good.tgz" --max-bytes lots
expect_fail 2 'option --max-entries: must be at least 1' 'zero --max-entries' \
	verify_bundle "$T/good.tgz" --max-entries 0

done_testing
