#!/bin/sh
# Valid bundles: the mcp.verified/v1 document, the read-only tree, its
# reuse on a second run and its repair when it was damaged.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

V="$MCP_VERIFY --cache-dir $CACHE"
$MKTAR "$T/b.tgz" 'x:bin/server:#!/bin/sh\necho hi\n' d:data f:data/x:hello \
	l:link:data/x l:data/up:../bin s:bin/suid:6777 s:bin/open:0666 \
	h:hard:data/x f:lib/deep/file:1 'f:caf\u00e9:utf8'
client_manifest "$T/m.json" "$T/b.tgz" bin/server '
	.package.git_sha = "0123456789abcdef0123456789abcdef01234567"
	| .permissions_requested = {network: ["API.example.com:443", "*.cdn.example:80"],
	    environment: ["API_KEY"], subprocess: true,
	    filesystem: ["data", "/etc/ssl:ro", "./cache/../state:rw"]}
	| .limits_recommended = {max_cpu: 500, max_memory: "256M", max_pids: 32,
	    max_fds: 128, timeout: "1h30m"}'
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" \
	'.git_sha = "0123456789abcdef0123456789abcdef01234567"'

expect_ok 'a valid package from a fetch document' $V "$T/f.json"
out_kind mcp.verified/v1 'stdout is one mcp.verified/v1 document'
cp "$T/out" "$T/doc.json"
hex=$(hex_of "$T/b.tgz")
tree=$TREES/$hex
jq_check '.ref == "acme/hello@1.0.0" and .package == "acme/hello" and .version == "1.0.0"
	and .status == "published" and .certification_level == 1
	and .origin == "community" and .registry == "file:///nowhere"
	and .git_sha == "0123456789abcdef0123456789abcdef01234567"' \
	'identity copied from the fetch document'
jq_check ".manifest == {digest: \"$(sha_of "$T/m.json")\", size_bytes: $(size_of "$T/m.json"),
	path: \"$T/m.json\", format: \"client\", schema_version: \"1\"}" 'manifest member'
jq_check ".bundle == {digest: \"$(sha_of "$T/b.tgz")\", size_bytes: $(size_of "$T/b.tgz"),
	path: \"$T/b.tgz\"}" 'bundle member'
jq_check ".tree == \"$tree\"" 'tree is CACHE/trees/sha256/<bundle hex>'
jq_check '.verified_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")' 'verified_at'
jq_check ".server.entrypoint == {os: \"linux\", arch: .server.entrypoint.arch,
	command: \"bin/server\", args: [\"--x\"], env: {}, workdir: \".\",
	interpreter: null, argv: [\"$tree/bin/server\", \"--x\"]}" 'entrypoint with absolute argv'
jq_check '.server.transport == {type: "stdio"}' 'transport'
jq_check '.server.permissions == {network: ["api.example.com:443", "*.cdn.example:80"],
	environment: ["API_KEY"], subprocess: true,
	filesystem: [{path: "data", access: "ro"}, {path: "/etc/ssl", access: "ro"},
	             {path: "state", access: "rw"}]}' 'permissions normalised'
jq_check '.server.limits == {cpu_millicores: 500, memory_bytes: 268435456,
	pids: 32, fds: 128, timeout_ms: 5400000}' 'limits normalised'

check 'the file is there' test "$(cat "$tree/data/x")" = hello
check 'the UTF-8 name is there' test -f "$tree/café"
check 'the hardlink is there' test "$(cat "$tree/hard")" = hello
check 'the symlink inside the tree is kept' test "$(readlink "$tree/link")" = data/x
check 'directories are 0555' test "$(stat -c %a "$tree" "$tree/data" "$tree/lib/deep" | sort -u)" = 555
check 'the executable is 0555' test "$(stat -c %a "$tree/bin/server")" = 555
check 'setuid, setgid and sticky bits are stripped' test "$(stat -c %a "$tree/bin/suid")" = 555
check 'group and world write are stripped' test "$(stat -c %a "$tree/bin/open" "$tree/data/x")" = "444
444"
check 'the index is beside the tree' test -f "$TREES/$hex.tree"
check 'no temporary directory is left' test -z "$(find "$CACHE" -name '.tmp-*')"

# A second run reuses the tree; a damaged tree is extracted again.
expect_ok 'second run' $V -v "$T/f.json"
check 'second run reuses the tree' grep -q "reusing $tree" "$T/err"
chmod u+w "$tree/data" "$tree/data/x"
echo tampered >"$tree/data/x"
chmod 444 "$tree/data/x"
chmod 555 "$tree/data"
expect_ok 'run after the tree was tampered with' $V "$T/f.json"
check 'says the tree was damaged, naming the file' grep -q "warning: $tree was damaged (data/x: its contents changed) and has been extracted again" "$T/err"
check 'the file is restored' test "$(cat "$tree/data/x")" = hello
chmod u+w "$tree"
echo extra >"$tree/extra"
chmod 555 "$tree"
expect_ok 'run after a file was added' $V -q "$T/f.json"
check 'the added file is gone' test ! -e "$tree/extra"
check '-q silences the warning' test ! -s "$T/err"
rm -f "$TREES/$hex.tree"
expect_ok 'run after the index was removed' $V -q "$T/f.json"
check 'the index is back' test -f "$TREES/$hex.tree"

# What a killed run left behind is removed once it is a day old.
mkdir -p "$TREES/.tmp-old/sub" "$TREES/.tmp-new"
: >"$TREES/.tmp-index-old"
chmod 555 "$TREES/.tmp-old/sub"
touch -d '2 days ago' "$TREES/.tmp-old" "$TREES/.tmp-index-old"
expect_ok 'run with stale temporary files around' $V "$T/f.json"
check 'stale temporary files are removed' test ! -e "$TREES/.tmp-old" -a ! -e "$TREES/.tmp-index-old"
check 'a recent one (maybe a live extraction) is kept' test -d "$TREES/.tmp-new"
rmdir "$TREES/.tmp-new"

# The cache directory: MCP_CACHE_DIR, beaten by --cache-dir; else XDG.
expect_ok 'MCP_CACHE_DIR' env MCP_CACHE_DIR="$T/envcache" \
	"$MCP_VERIFY" "$T/f.json"
jq_check ".tree == \"$T/envcache/trees/sha256/$hex\"" 'the tree is under MCP_CACHE_DIR'
expect_ok '--cache-dir beats MCP_CACHE_DIR' env MCP_CACHE_DIR="$T/envcache" \
	"$MCP_VERIFY" --cache-dir "$T/flagcache" "$T/f.json"
jq_check ".tree == \"$T/flagcache/trees/sha256/$hex\"" 'the tree is under --cache-dir'
expect_ok 'default cache directory' "$MCP_VERIFY" "$T/f.json"
jq_check ".tree == \"$XDG_CACHE_HOME/mcp/trees/sha256/$hex\"" 'the tree is under $XDG_CACHE_HOME/mcp'
check 'tree directories are traversable, not listable (0711)' \
	test "$(stat -c %a "$XDG_CACHE_HOME/mcp/trees/sha256")" = 711

# stdin, and the same package in standalone mode.
RUN_STDIN=$T/f.json
expect_ok 'fetch document on stdin' $V
jq_check '.tree == "'"$tree"'"' 'same tree from stdin'
expect_ok 'fetch document as -' $V -
unset RUN_STDIN
expect_ok 'standalone client manifest' $V --manifest "$T/m.json" --bundle "$T/b.tgz"
jq_check '.ref == "acme/hello@1.0.0" and .status == null and .certification_level == null
	and .origin == null and .registry == null
	and .git_sha == "0123456789abcdef0123456789abcdef01234567"' 'standalone identity from the manifest'

# An interpreter command, a hub manifest with env and workdir.
$MKTAR "$T/py.tgz" 'f:server.py:print(1)\n' d:work f:work/x:1
hub_manifest "$T/h.json" '["python3", "-u"]' '
	.entrypoint.args = ["server.py", "--flag"]
	| .entrypoint.env = {MODE: "prod"} | .entrypoint.workdir = "./work"
	| .permissions = {network: {outbound: ["api.example.com:443"], inbound: true},
	    filesystem: {read: ["/data"], write: ["out"], execute: ["bin"]},
	    env_vars: ["TOKEN"], subprocess: false}
	| .resources = {cpu_millicores: 250, memory_mb: 512, timeout_seconds: 60,
	    max_pids: 16, max_fds: 64}'
if [ -x /usr/bin/python3 ] || [ -x /usr/local/bin/python3 ] || [ -x /bin/python3 ]; then
	expect_ok 'hub manifest with an interpreter' $V --manifest "$T/h.json" \
		--bundle "$T/py.tgz" --bundle-digest "$(sha_of "$T/py.tgz")"
	ptree=$TREES/$(hex_of "$T/py.tgz")
	jq_check '.manifest.format == "hub" and .manifest.schema_version == "1.0"' 'hub format'
	jq_check '.server.entrypoint.interpreter | test("^/(usr/(local/)?)?bin/python3$")' \
		'interpreter found in a fixed directory'
	jq_check ".server.entrypoint.argv == [.server.entrypoint.interpreter, \"-u\", \"server.py\", \"--flag\"]" \
		'an option first: arguments kept as they are'
	jq_check '.server.entrypoint.env == {MODE: "prod"} and .server.entrypoint.workdir == "work"' \
		'env and workdir'
	jq_check '.server.transport == {type: "http"}' 'inbound means http'
	jq_check '.server.permissions.filesystem == [{path: "/data", access: "ro"},
		{path: "out", access: "rw"}, {path: "bin", access: "rx"}]' 'hub filesystem modes kept distinct'
	jq_check '.server.limits == {cpu_millicores: 250, memory_bytes: 536870912,
		pids: 16, fds: 64, timeout_ms: 60000}' 'hub resources converted'
	hub_manifest "$T/h2.json" '["python3", "server.py"]'
	expect_ok 'interpreter with a script' $V --manifest "$T/h2.json" \
		--bundle "$T/py.tgz" --bundle-digest "$(sha_of "$T/py.tgz")"
	jq_check ".server.entrypoint.argv[1] == \"$ptree/server.py\"" \
		'the script argument is made absolute'
else
	skip 'no python3 in /usr/local/bin, /usr/bin or /bin'
fi

done_testing
