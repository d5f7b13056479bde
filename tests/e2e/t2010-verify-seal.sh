#!/bin/sh
# The seal of a cached tree: a tree whose entries all stat as its index
# recorded is reused without reading a file; any change made through the
# file system breaks the seal, every file is hashed, and a damaged tree is
# named file by file and extracted again; --rehash and MCP_VERIFY_REHASH
# hash every file whatever the seal says.  The same for the bundle: the
# very file last hashed, unchanged, is not hashed again.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

V="$MCP_VERIFY --cache-dir $CACHE"
$MKTAR "$T/b.tgz" 'x:bin/server:#!/bin/sh\necho hi\n' d:data f:data/x:hello \
	f:data/y:world l:link:data/x
client_manifest "$T/m.json" "$T/b.tgz" bin/server
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz"
hex=$(hex_of "$T/b.tgz")
tree=$TREES/$hex
index=$TREES/$hex.tree

# seal: wait until the tree's entries are older than the seal's margin
# (2 s), let a run check every file and seal the tree again, and check
# that the next run reuses it on its seal alone.
seal() {
	sleep 2.1
	run $V -v "$T/f.json"
	reused_sealed "sealed again ($1)"
}
# writable CMD...: run CMD with the tree writable, then make it read-only
# again (as a user who set out to change it would).
writable() {
	chmod -R u+w "$tree"
	"$@"
	chmod -R a-w "$tree"
}
# reused_sealed DESC: a -v run reused the tree on its seal alone.
reused_sealed() {
	expect_ok "$1" $V -v "$T/f.json"
	check "$1: its seal holds" grep -q "reusing $tree (7 entries, 28 bytes, its seal holds)" "$T/err"
	check "$1: the bundle's seal holds" grep -q "bundle sha256:$hex verified ($(size_of "$T/b.tgz") bytes, its seal holds)" "$T/err"
}
# damaged DESC WHY [OPTIONS]: the run found the tree damaged because of
# WHY, said so in one warning line and extracted it again.
damaged() {
	_dd=$1 _w=$2
	shift 2
	expect_ok "$_dd" $V "$@" "$T/f.json"
	check "$_dd: one warning naming the entry" test "$(cat "$T/err")" = \
		"mcp-verify: warning: $tree was damaged ($_w) and has been extracted again"
	check "$_dd: the tree is restored" test "$(cat "$tree/data/x")" = hello -a \
		"$(cat "$tree/data/y")" = world -a ! -e "$tree/data/new" -a \
		"$(stat -c %a "$tree/data/x")" = 444
}

expect_ok 'first run extracts' $V "$T/f.json"
check 'the index is a sealed one' grep -q '^mcp\.tree/v2 sha256:[0-9a-f]\{64\} 7 28 [0-9]*\.[0-9]\{9\}$' "$index"
check 'one line per entry, after the bundle line' test "$(wc -l <"$index")" -eq 9
check 'the bundle line' grep -q "^bundle	$(stat -c '%d	%i	%s' "$T/b.tgz")	" "$index"
sleep 2.1
expect_ok 'second run' $V -v "$T/f.json"
check 'a tree renamed into place is checked in full once' grep -q "$tree: every file hashed (\.: " "$T/err"
reused_sealed 'a sealed tree is reused'
if command -v strace >/dev/null 2>&1; then
	# LeakSanitizer cannot work under ptrace (the sanitizer build).
	expect_ok 'under strace' env \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=openat,open -o "$T/trace" $V "$T/f.json"
	check 'the seal alone opens no file of the tree' \
		test -z "$(grep -F "$tree/" "$T/trace" | grep -v ENOENT)"
else
	skip 'no strace'
fi

# --rehash and MCP_VERIFY_REHASH: every file hashed although the seal holds.
expect_ok '--rehash' $V -v --rehash "$T/f.json"
check '--rehash hashes every file' grep -q "$tree: every file hashed (--rehash)" "$T/err"
check '--rehash hashes the bundle' grep -q "bundle sha256:$hex verified ($(size_of "$T/b.tgz") bytes)\$" "$T/err"
expect_ok 'MCP_VERIFY_REHASH=1' env MCP_VERIFY_REHASH=1 $V -v "$T/f.json"
check 'MCP_VERIFY_REHASH=1 hashes every file' grep -q "$tree: every file hashed (--rehash)" "$T/err"
expect_ok 'MCP_VERIFY_REHASH=0' env MCP_VERIFY_REHASH=0 $V -v "$T/f.json"
check 'MCP_VERIFY_REHASH=0 does not' grep -q "its seal holds" "$T/err"
expect_fail 2 'option --rehash given twice' '--rehash twice' $V --rehash --rehash "$T/f.json"

# The bundle: another file with the same bytes is hashed; the same file
# changed (size and mtime kept) is hashed, and refused.
cp "$T/b.tgz" "$T/b2.tgz"
fetch_doc "$T/f2.json" "$T/m.json" "$T/b2.tgz"
expect_ok 'a copy of the bundle' $V -v "$T/f2.json"
check 'a copy of the bundle is hashed' grep -q "bundle sha256:$hex verified ($(size_of "$T/b.tgz") bytes)\$" "$T/err"
cp "$T/b.tgz" "$T/b.keep"
mt=$(stat -c %y "$T/b.tgz")
$PY -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 1]))' "$T/b.tgz"
touch -d "$mt" "$T/b.tgz"
expect_fail 4 '^mcp-verify: bundle: digest mismatch: expected sha256:' \
	'a bundle changed in place, size and mtime kept' $V "$T/f.json"
cp -p "$T/b.keep" "$T/b.tgz"
expect_ok 'the bundle put back (a new ctime)' $V -v "$T/f.json"
check 'the bundle put back is hashed' grep -q "bundle sha256:$hex verified ($(size_of "$T/b.tgz") bytes)\$" "$T/err"
seal 'bundle'

# Each change through the file system is found, the entry named.
# The contents, with the size kept and the mtime put back.
mt=$(stat -c %y "$tree/data/x")
writable sh -c "printf HELLO >'$tree/data/x' && touch -d '$mt' '$tree/data/x'"
damaged 'contents changed, size and mtime kept' 'data/x: its contents changed'
seal 'contents'
# A mode.
chmod 555 "$tree/data/x"
damaged 'a file made executable' 'data/x: its mode changed'
seal 'executable'
chmod 644 "$tree/data/x"
damaged 'a file made writable' 'data/x: its mode changed'
seal 'writable'
# A file added, the directory's mtime put back.
mt=$(stat -c %y "$tree/data")
writable sh -c "echo new >'$tree/data/new' && touch -d '$mt' '$tree/data'"
damaged 'a file added' 'data/new: it was added'
seal 'added'
# A file replaced by rename(2) with one of the same size and mtime.
mt=$(stat -c %y "$tree/data/x")
writable sh -c "printf HELLO >'$tree/data/.x' && touch -d '$mt' '$tree/data/.x' '$tree/data' &&
	mv '$tree/data/.x' '$tree/data/x' && touch -d '$mt' '$tree/data'"
damaged 'a file replaced by rename' 'data/x: its contents changed'
seal 'rename'
# A file removed.
writable rm "$tree/data/y"
damaged 'a file removed' 'data/y: it was removed'
seal 'removed'
# A symlink retargeted.
writable sh -c "ln -sfn data/y '$tree/link'"
damaged 'a symlink retargeted' 'link: its target changed'
seal 'symlink'

# A seal broken by a change that left the contents as they were (a chmod
# and back): every file is hashed, nothing is damaged, the tree is sealed
# again.
chmod 555 "$tree/data/x"
chmod 444 "$tree/data/x"
expect_ok 'a chmod and back' $V -v "$T/f.json"
check 'a chmod and back: the seal breaks, the entry named' grep -q "$tree: every file hashed (data/x: not as sealed)" "$T/err"
check 'a chmod and back: the tree is reused' grep -q "reusing $tree" "$T/err"
seal 'a chmod and back'

# What the seal does not see: a change that leaves every lstat(2) as it
# was (root writing to the disk, or here the index made to disagree with
# the tree and its listing digest recomputed).  --rehash finds it.
listing() {
	{
		printf 'mcp.tree/v1\n'
		awk -F '\t' 'NR > 2 {
			if ($1 ~ /^40/) printf "d\t555\t%s\n", $8
			else if ($1 ~ /^10/) printf "f\t%s\t%s\t%s\t%s\n", substr($1, length($1) - 2), $2, $3, $8
			else printf "l\t%s\t%s\n", $8, $9 }' "$1"
	} | sha256sum | cut -d' ' -f1
}
other=$(printf HELLO | sha256sum | cut -d' ' -f1)
x=$(printf hello | sha256sum | cut -d' ' -f1)
sed "s/\t$x\t/\t$other\t/" "$index" >"$T/index"
d=$(listing "$T/index")
sed "1s/sha256:[0-9a-f]*/sha256:$d/" "$T/index" >"$T/index2"
mv -f "$T/index2" "$index"
check 'the index was made to disagree' grep -q "$other" "$index"
reused_sealed 'a change the seal cannot see goes unnoticed without --rehash'
damaged '--rehash finds what the seal cannot see' 'data/x: its contents changed' --rehash

# An index without a seal (an older mcp-verify's) is upgraded; a malformed
# one means a damaged tree.
seal 'rehash'
head -1 "$index" | sed 's,^mcp\.tree/v2 \([^ ]* [0-9]* [0-9]*\) .*,mcp.tree/v1 \1,' >"$T/index"
mv -f "$T/index" "$index"
expect_ok 'an index without a seal' $V -v "$T/f.json"
check 'an index without a seal: every file hashed' grep -q "$tree: every file hashed (its index has no seal)" "$T/err"
check 'an index without a seal: the tree is reused' grep -q "reusing $tree" "$T/err"
check 'an index without a seal is sealed' grep -q '^mcp\.tree/v2 ' "$index"
head -3 "$index" >"$T/index"
mv -f "$T/index" "$index"
damaged 'a truncated index' 'its index is malformed'
sed "s/\t5\t$x\t/\t6\t$x\t/" "$index" >"$T/index"
mv -f "$T/index" "$index"
damaged 'an index that disagrees with its tree' 'data/x: its contents changed'

done_testing
