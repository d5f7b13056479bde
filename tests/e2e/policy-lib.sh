# policy-lib.sh: helpers for the t3xxx mcp-policy tests (sourced after lib.sh).
# Verified documents are written by hand with jq: mcp-policy reads no tree.
# mcp-policy judges host paths where they lead (realpath): use the
# physical name of the scratch directory, whatever symlinks TMPDIR has.
T=$(cd "$T" && pwd -P) || exit 99

# Base verified document (written by hand: no real tree is needed).
DIG=sha256:$(printf '%064d' 0 | tr 0 a)
TREE=/nonexistent/mcp-test/trees/sha256/aaaa
base_doc() {
	jq -nc --arg d "$DIG" --arg t "$TREE" '{
	  kind: "mcp.verified/v1", verified_at: "2026-11-23T06:08:51.123Z",
	  ref: "acme/hello@1.0.0", package: "acme/hello", version: "1.0.0",
	  git_sha: null, status: "published", certification_level: 1,
	  origin: "community", registry: "file:///srv/registry",
	  manifest: {digest: $d, size_bytes: 100, path: "/x/m", format: "client", schema_version: "1"},
	  bundle: {digest: $d, size_bytes: 200, path: "/x/b"},
	  tree: $t,
	  server: {transport: {type: "stdio"},
	    entrypoint: {os: "linux", arch: "amd64", command: "server.py", args: [],
	      env: {}, workdir: ".", interpreter: "/usr/bin/python3",
	      argv: ["/usr/bin/python3", ($t + "/server.py")]},
	    permissions: {network: [], environment: [], subprocess: false, filesystem: []},
	    limits: {}}}'
}
# doc FILE [JQ-FILTER]: a verified document changed by FILTER.
doc() {
	base_doc | jq -c "${2:-.}" >"$1"
}
# policy FILE: the YAML on stdin becomes FILE.
policy() {
	mkdir -p "$(dirname "$1")"
	cat >"$1"
}
USER_CONFIG=$XDG_CONFIG_HOME/mcp/config.yaml
