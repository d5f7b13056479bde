#!/bin/sh
# t7002: the same tree gives the same bytes: across runs, across copies
# with other times, owners, modes and umask, and whatever order the
# directory lists its entries in; one changed byte or execute bit gives
# another digest.  The archive itself: entries sorted bytewise by path,
# mtime 0 (or --mtime, or SOURCE_DATE_EPOCH), owner 0/0 without names,
# modes normalised, gzip header without name or time.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/pack-lib.sh"

py=${PYTHON3:-no}
mktree "$T/a"
# Long npm-style paths (over ustar's 100-byte name field) and a
# non-ASCII name need pax headers; they must be reproducible too.
long=node_modules/@modelcontextprotocol/server-something-rather-long/dist/lib/handlers/very/deep
mkdir -p "$T/a/$long"
printf 'module.exports = 1;\n' >"$T/a/$long/a-file-with-a-long-name-for-the-ustar-header.js"
cafe=$(printf 'caf\303\251.txt')
printf 'x\n' >"$T/a/$cafe"
# Names that sort differently bytewise and per directory ("a-b" < "a/").
mkdir -p "$T/a/x" && printf '1\n' >"$T/a/x/y" && printf '2\n' >"$T/a/x-y"

d1=$(pack_digest "$T/a")
cp "$T/d.tgz" "$T/first.tgz"
cp "$T/d.json" "$T/first.json"
d2=$(pack_digest "$T/a")
check "a digest was printed ($d1)" sh -c "echo '$d1' | grep -Eq '^sha256:[0-9a-f]{64}$'"
check "two runs give the same bundle digest" test "$d1" = "$d2"
check "two runs give the same manifest bytes" cmp -s "$T/first.json" "$T/d.json"
diag "bundle digest: $d1"

# A copy made under another umask, with other times and modes, in
# another order of creation.
mkdir "$T/b"
(umask 077 && cd "$T/a" && find . -mindepth 1 | sort -r | while read -r p; do
	mkdir -p "$(dirname "$T/b/$p")"
	if [ -L "$p" ]; then ln -s "$(readlink "$p")" "$T/b/$p"
	elif [ -d "$p" ]; then mkdir -p "$T/b/$p"
	else cp "$p" "$T/b/$p"
	fi
done)
find "$T/b" -exec touch -h -d '2001-02-03 04:05:06' {} +
chmod 0600 "$T/b/server.py" "$T/b/lib/deep/data.txt"
chmod 0750 "$T/b/bin/run" "$T/b/lib"
if [ "$(id -u)" -eq 0 ]; then
	chown -hR 1234:5678 "$T/b"
	owner="other owners, "
else
	owner=
fi
d3=$(pack_digest "$T/b")
check "a copy with ${owner}other times, modes and umask: same digest ($d3)" \
	test "$d1" = "$d3"
check "...and the same manifest" cmp -s "$T/first.json" "$T/d.json"

# Changes that matter.
cp -a "$T/a" "$T/c"
printf 'print("hellO")\n' >"$T/c/server.py"
d4=$(pack_digest "$T/c")
check "one changed byte changes the digest" test "$d4" != "$d1"
cp -a "$T/a" "$T/e"
chmod 0644 "$T/e/bin/run"
d5=$(pack_digest "$T/e")
check "a dropped execute bit changes the digest" test "$d5" != "$d1"
d6=$(SOURCE_DATE_EPOCH=1700000000 pack_digest "$T/a")
check "SOURCE_DATE_EPOCH changes the digest" test "$d6" != "$d1"
cp "$T/d.tgz" "$T/sde.tgz"
rm -f "$T/m.tgz"
run "$MCP_PACK" --bundle "$T/m.tgz" --manifest "$T/m.json" --mtime 1700000000 \
	--command python3 --arg server.py acme/tree@1.0.0 "$T/a"
check "--mtime gives the same bytes as SOURCE_DATE_EPOCH" cmp -s "$T/m.tgz" "$T/sde.tgz"
run env SOURCE_DATE_EPOCH=5 "$MCP_PACK" --bundle "$T/m.tgz" --manifest "$T/m.json" \
	--mtime 0 --command python3 --arg server.py acme/tree@1.0.0 "$T/a"
check "--mtime beats SOURCE_DATE_EPOCH" cmp -s "$T/m.tgz" "$T/first.tgz"

# The gzip header: no FNAME flag, MTIME 0 (RFC 1952).
hdr=$(od -An -tx1 -N8 "$T/first.tgz" | tr -d ' \n')
check "gzip header has no name and no time ($hdr)" test "$hdr" = 1f8b080000000000

# The archive.
if [ "$py" = no ]; then
	skip "python3 not found: the archive's headers are not inspected"
else
	"$py" - "$T/first.tgz" "$T/sde.tgz" >"$T/tar.txt" 2>&1 <<'PY'
import sys, tarfile
for path, mtime in ((sys.argv[1], 0), (sys.argv[2], 1700000000)):
    with tarfile.open(path, "r:gz") as t:
        ms = t.getmembers()
    names = [m.name.encode() for m in ms]
    if names != sorted(names):
        print("not sorted:", names)
    if len(set(names)) != len(names):
        print("duplicates")
    for m in ms:
        if m.mtime != mtime or m.uid != 0 or m.gid != 0 or m.uname or m.gname:
            print("metadata:", m.name, m.mtime, m.uid, m.gid, m.uname, m.gname)
        want = {tarfile.DIRTYPE: 0o755, tarfile.SYMTYPE: 0o777}.get(m.type)
        if m.isreg():
            want = 0o755 if m.name == "bin/run" else 0o644
        if m.mode != want:
            print("mode:", m.name, oct(m.mode))
    print(path, len(ms), "entries")
    sys.stdout.buffer.write(b"".join(n + b"\n" for n in names))
    sys.stdout.flush()
PY
	check "entries sorted, unique, mtime/owner/modes normalised" \
		sh -c "! grep -Eq '^(not sorted|duplicates|metadata|mode)' '$T/tar.txt'"
	grep -q "^$long/a-file-with-a-long-name-for-the-ustar-header.js\$" "$T/tar.txt"
	check "a path longer than 100 bytes is kept whole" test $? -eq 0
	check "a non-ASCII name is kept" grep -q "^$cafe\$" "$T/tar.txt"
	check "x-y sorts before x/ (bytewise, whole paths)" \
		sh -c "grep -n '^x' '$T/tar.txt' | head -3 | cut -d: -f2 | tr '\n' ' ' | grep -qx 'x x-y x/y '"
	[ "$test_failed" -eq 0 ] || sed 's/^/# /' "$T/tar.txt"
fi
if command -v bsdtar >/dev/null 2>&1; then
	bsdtar -tvf "$T/first.tgz" >"$T/tv" 2>&1
	check "bsdtar lists the bundle: owner 0 0, 1970" \
		sh -c "! grep -v ' 0 *0 .*1970 ' '$T/tv' | grep -q ."
else
	skip "bsdtar not installed"
fi

# mcp-verify accepts it, with the manifest written alongside.
expect_ok "mcp-verify accepts the bundle and manifest" \
	"$MCP_VERIFY" --cache-dir "$T/cache" --manifest "$T/first.json" --bundle "$T/first.tgz"

jq_check ".bundle.digest == \"$d1\" and .manifest.format == \"client\"" "the verified document names the digest"
done_testing
