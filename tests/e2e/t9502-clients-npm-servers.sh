#!/bin/sh
# t9502: published servers from the npm registry, packed with mcp-pack into
# a directory registry, run by mcp-run under full isolation and spoken to
# by the official SDK's stdio client: @modelcontextprotocol/server-memory
# (writes and reads back an entity) and @modelcontextprotocol/server-
# filesystem (given one granted directory, it sees that and nothing else
# of the host, even once the client's roots let everything through its
# own path check).  The filesystem server also runs for an unprivileged
# user.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"
. "$top_srcdir/tests/e2e/sdk-lib.sh"
need_sdk

# The versions the lock files pinned.
ver() {
	jq -r ".packages[\"node_modules/@modelcontextprotocol/$2\"].version" \
		"$NPM_DIR/$1/package-lock.json"
}
mem_ver=$(ver memory server-memory)
fs_ver=$(ver filesystem server-filesystem)
granted=$T/granted
mkdir -p "$granted"
printf 'hello\n' >"$granted/a.txt"
printf 'not for the server\n' >"$HOME/secret.txt"
chmod 755 "$T" "$HOME"

# Node's ES module loader opens many files at once: 1024 descriptors.
expect_ok "mcp-pack: server-memory $mem_ver" "$MCP_PACK" --registry "$T/reg" \
	--command node \
	--arg node_modules/@modelcontextprotocol/server-memory/dist/index.js \
	--env MEMORY_FILE_PATH --max-fds 1024 --max-memory 512M \
	--description "@modelcontextprotocol/server-memory from npm" \
	"npm/server-memory@$mem_ver" "$NPM_DIR/memory"
expect_ok "mcp-pack: server-filesystem $fs_ver" "$MCP_PACK" --registry "$T/reg" \
	--command node \
	--arg node_modules/@modelcontextprotocol/server-filesystem/dist/index.js \
	--filesystem "$granted:rw" --max-fds 1024 --max-memory 512M \
	--description "@modelcontextprotocol/server-filesystem from npm" \
	"npm/server-filesystem@$fs_ver" "$NPM_DIR/filesystem"

cat >"$T/config.yaml" <<CFG
policy:
  environment:
    allow: [MEMORY_FILE_PATH]
  filesystem:
    allow:
      - {path: $granted, access: rw}
CFG
chmod 644 "$T/config.yaml"
log=$T/audit.log
run_args="--registry $T/reg --cache-dir $T/cache --config $T/config.yaml --audit-log $log"

# --- server-memory --------------------------------------------------------
# The memory file lives in the sandbox's private /tmp.
MEMORY_FILE_PATH=/tmp/memory.jsonl SDK_CLIENT_ENV=MEMORY_FILE_PATH
export MEMORY_FILE_PATH SDK_CLIENT_ENV
# shellcheck disable=SC2086
sdk_client "$T/mem.json" memory mcp-tools-test -- "$MCP_RUN" $run_args \
	"npm/server-memory@$mem_ver"
check "memory: the SDK client's session worked (exit 0)" test "$rc" -eq 0
sdk_check "memory: initialize: memory-server" "$T/mem.json" \
	'.server.name == "memory-server"'
sdk_check "memory: tools/list has create_entities and search_nodes" "$T/mem.json" \
	'.tools | index("create_entities") != null and index("search_nodes") != null'
sdk_check "memory: create_entities worked" "$T/mem.json" '.calls.create.ok'
sdk_check "memory: search_nodes reads the entity back" "$T/mem.json" \
	'.calls.search.ok and (.calls.search.text | fromjson | .entities |
	 map(select(.name == "mcp-tools-test" and
	            .observations == ["written by sdk-client"])) | length == 1)'
sdk_check "memory: nothing but JSON-RPC on stdout" "$T/mem.json" '.errors == []'
check "memory: the end record reached the log" wait_end "$log" 1
unset MEMORY_FILE_PATH SDK_CLIENT_ENV

# --- server-filesystem ----------------------------------------------------
# fs_checks OUT WHO: the assertions on a filesystem session.
fs_checks() {
	sdk_check "$2: initialize: secure-filesystem-server" "$1" \
		'.server.name == "secure-filesystem-server"'
	sdk_check "$2: the roots made / an allowed directory for the server" "$1" \
		'.calls.allowed.ok and (.calls.allowed.text | split("\n") | index("/") != null)'
	sdk_check "$2: list_directory of the granted directory" "$1" \
		'.calls.list.ok and (.calls.list.text | contains("[FILE] a.txt"))'
	sdk_check "$2: write_file then read_text_file in it" "$1" \
		'.calls.write.ok and .calls.read.ok and
		 .calls.read.text == "written by sdk-client\n"'
	check "$2: the write reached the granted directory" \
		grep -qx 'written by sdk-client' "$granted/written.txt"
	sdk_check "$2: / is the sandbox's root: no home, root, var or srv" "$1" \
		'.calls.probe0.ok and ([.calls.probe0.text | split("\n")[] |
		  select(test("^\\[DIR\\] (home|root|var|srv|opt|mnt)$"))] == [])'
	sdk_check "$2: the caller's home cannot be read" "$1" \
		'(.calls.probe1.ok | not) and (.calls.probe1.text | test("ENOENT|EACCES"))'
	sdk_check "$2: /etc/shadow cannot be read" "$1" \
		'(.calls.probe2.ok | not) and (.calls.probe2.text | test("ENOENT|EACCES"))'
	sdk_check "$2: /etc holds only what mcp-exec wrote (no shadow, no hostname)" "$1" \
		'.calls.probe3.ok and (.calls.probe3.text | test("shadow|hostname") | not)'
	sdk_check "$2: nothing but JSON-RPC on stdout" "$1" '.errors == []'
}
fs_probes="/ $HOME/secret.txt /etc/shadow /etc/"

# The server runs as 65534 (mcp-exec drops root): the granted directory
# must be writable by it, as it would be for a service user.
chown 65534:65534 "$granted" 2>/dev/null
# shellcheck disable=SC2086
sdk_client "$T/fs.json" filesystem "$granted" $fs_probes -- "$MCP_RUN" \
	$run_args "npm/server-filesystem@$fs_ver" -- "$granted"
check "filesystem: the SDK client's session worked (exit 0)" test "$rc" -eq 0
fs_checks "$T/fs.json" filesystem
check "filesystem: the end record reached the log" wait_end "$log" 2
audit_check "both runs ended in success, every layer applied" "$log" \
	'[.[] | .record | select(.event == "end")] | length == 2 and
	 all(.outcome == "success" and
	     ([.layers[]] | all(. == "applied")))'
expect_ok "the audit log verifies" "$MCP_AUDIT" verify --log "$log"

# --- server-filesystem, unprivileged -------------------------------------
if setup_as_user; then
	rm -f "$granted/written.txt"
	chown "$TU" "$granted" 2>/dev/null
	chmod 700 "$granted"
	ulog=$T/ulog
	mkdir -p "$ulog"
	chown "$TU" "$ulog" 2>/dev/null
	# The user's own cache, log and HOME; the registry is read-only.
	# shellcheck disable=SC2086
	as_user env HOME="$ulog" "$NODE" "$SDK_CLIENT" "$NPM_DIR/client" \
		filesystem "$granted" $fs_probes -- "$MCP_RUN" \
		--registry "$T/reg" --cache-dir "$ulog/cache" \
		--config "$T/config.yaml" --audit-log "$ulog/audit.log" \
		"npm/server-filesystem@$fs_ver" -- "$granted" \
		>"$T/ufs.json" 2>"$T/ufs.json.err"
	rc=$?
	check "unprivileged: the SDK client's session worked (exit 0)" test "$rc" -eq 0
	fs_checks "$T/ufs.json" unprivileged
	check "unprivileged: the end record reached the log" wait_end "$ulog/audit.log" 1
	audit_check "unprivileged: success, the caller's uid, isolation applied" \
		"$ulog/audit.log" \
		"[.[] | .record | select(.event == \"start\")][0] | .user.uid == $TU and
		 .layers.namespaces == \"applied\" and .layers.landlock == \"applied\" and
		 .layers.seccomp == \"applied\""
fi
done_testing
