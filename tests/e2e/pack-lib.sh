# pack-lib.sh: helpers for the mcp-pack tests (sourced after lib.sh).

# mktree DIR: a small server tree: a script, a data file, a subdirectory,
# an executable and a symlink inside the tree.
mktree() {
	mkdir -p "$1/lib/deep" "$1/bin"
	printf 'print("hello")\n' >"$1/server.py"
	printf 'data\n' >"$1/lib/deep/data.txt"
	printf '#!/bin/sh\necho hi\n' >"$1/bin/run"
	chmod 0755 "$1/bin/run"
	ln -s ../server.py "$1/lib/server-link.py"
}

# pack_digest TREE: pack TREE to $T/d.tgz/$T/d.json, print the bundle digest.
pack_digest() {
	rm -f "$T/d.tgz" "$T/d.json"
	"$MCP_PACK" --bundle "$T/d.tgz" --manifest "$T/d.json" \
		--command python3 --arg server.py acme/tree@1.0.0 "$1" |
		jq -r .bundle.digest
}
