#!/bin/sh
# The entrypoint command: inside the bundle, a regular executable reached
# without a symlink out of the tree, or an allowlisted interpreter found in
# fixed directories (never PATH); package runners are refused by name.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

V="$MCP_VERIFY --cache-dir $CACHE"
$MKTAR "$T/b.tgz" x:bin/server:hi f:bin/plain:hi d:bin/dir l:bin/out:../../../../../../../../bin/sh \
	l:bin/in:server
H=$T/h.json

# hub_try CMD-JSON: verify b.tgz with a hub manifest whose command is CMD.
hub_try() {
	hub_manifest "$H" "$1" "${2:-.}"
	$V --manifest "$H" --bundle "$T/b.tgz" --bundle-digest "$(sha_of "$T/b.tgz")"
}

expect_fail 4 'bundle: symlink "bin/out" -> .*: target leaves the tree' \
	'a symlink out of the tree in the bundle' hub_try '["bin/server"]'
$MKTAR "$T/b.tgz" x:bin/server:hi f:bin/plain:hi d:bin/dir l:bin/in:server \
	l:bin/loop:loop
expect_ok 'a command inside the bundle' hub_try '["bin/server"]'
expect_ok 'a command through a symlink inside the tree' hub_try '["bin/in"]'
jq_check '.server.entrypoint.argv[0] | endswith("/bin/in")' 'argv names the symlink inside'
expect_ok 'a command written ./bin/server' hub_try '["./bin/server"]'
jq_check '.server.entrypoint.argv[0] | endswith("/bin/server")' 'argv is normalised'
expect_fail 4 'manifest: entrypoint.command\[0\]: "bin/missing" is not in the bundle' \
	'a command missing from the bundle' hub_try '["bin/missing"]'
expect_fail 4 'manifest: entrypoint.command\[0\]: "bin/plain" is not executable' \
	'a command that is not executable' hub_try '["bin/plain"]'
expect_fail 4 'manifest: entrypoint.command\[0\]: "bin/dir" is not a regular file' \
	'a command that is a directory' hub_try '["bin/dir"]'
expect_fail 4 'manifest: entrypoint.command\[0\]: "bin/loop" leaves the bundle through a symlink' \
	'a command that is a symlink loop' hub_try '["bin/loop"]'
expect_fail 4 'manifest: entrypoint.command\[0\]: leaves the bundle' \
	'a command with ..' hub_try '["bin/../../x"]'
expect_fail 4 'manifest: entrypoint.command\[0\]: must be relative to the bundle root' \
	'an absolute command' hub_try '["/bin/sh"]'
expect_fail 4 'manifest: entrypoint.command\[0\]: contains control characters' \
	'a command with control characters' hub_try '["bin/ser\u001bver"]'
expect_fail 4 'manifest: entrypoint.command\[0\]: must not be empty' \
	'an empty command' hub_try '[""]'
for r in npx uvx uv pip pip3 pnpm yarn bunx; do
	expect_fail 4 "manifest: entrypoint.command\\[0\\]: \"$r\" is a package runner that downloads code at run time" \
		"package runner $r refused" hub_try "[\"$r\", \"some-package\"]"
done
expect_fail 4 'manifest: entrypoint.workdir: "bin/server" is not a directory of the bundle' \
	'a workdir that is a file' hub_try '["bin/server"]' '.entrypoint.workdir = "bin/server"'
expect_fail 4 'manifest: entrypoint.workdir: leaves the bundle' \
	'a workdir outside the bundle' hub_try '["bin/server"]' '.entrypoint.workdir = "../x"'

# A bare name that is not an interpreter is a file of the bundle.
expect_fail 4 'manifest: entrypoint.command\[0\]: "bash" is not in the bundle' \
	'bash is no interpreter by default' hub_try '["bash"]'

# The allowlist comes from the configuration; PATH is never searched.
mkdir -p "$T/pathbin"
printf '#!/bin/sh\n' >"$T/pathbin/node"
chmod 755 "$T/pathbin/node"
# A node on PATH that is not in the fixed directories must be ignored.
opath=$PATH
PATH=$T/pathbin:$PATH
export PATH
if [ -x /usr/local/bin/node ] || [ -x /usr/bin/node ] || [ -x /bin/node ]; then
	expect_ok 'node as interpreter' hub_try '["node", "server.js"]'
	jq_check '.server.entrypoint.interpreter | test("^/(usr/(local/)?)?bin/node$")' \
		'node from a fixed directory, not from PATH'
	jq_check '.server.entrypoint.argv[1] == "server.js"' \
		'a script not in the bundle is left as it is'
else
	expect_fail 1 'interpreter "node" not found in /usr/local/bin, /usr/bin or /bin' \
		'node only on PATH is not found' hub_try '["node"]'
fi
PATH=$opath
mkdir -p "$XDG_CONFIG_HOME/mcp"
printf 'verify:\n  interpreters: [sh]\n' >"$XDG_CONFIG_HOME/mcp/config.yaml"
expect_ok 'sh allowlisted by the configuration' hub_try '["sh", "-c", "true"]'
jq_check '.server.entrypoint.interpreter | test("^/(usr/(local/)?)?bin/sh$")' 'sh found'
expect_fail 4 'manifest: entrypoint.command\[0\]: "python3" is not in the bundle' \
	'the configured list replaces the default' hub_try '["python3"]'
printf 'verify:\n  interpreters: [sh, npx]\n' >"$XDG_CONFIG_HOME/mcp/config.yaml"
expect_fail 4 '"npx" is a package runner' 'a runner stays refused even if configured' \
	hub_try '["npx"]'
printf 'verify:\n  interpreters: [../sh]\n' >"$T/bad.yaml"
expect_fail 2 'interpreters' 'an interpreter that is not a bare name' \
	$V --config "$T/bad.yaml" --manifest "$H" --bundle "$T/b.tgz" \
	--bundle-digest "$(sha_of "$T/b.tgz")"
rm -f "$XDG_CONFIG_HOME/mcp/config.yaml"

# Entrypoint selection for this machine.
case $(uname -m) in aarch64 | arm64) other=amd64 ;; *) other=arm64 ;; esac
expect_fail 4 "manifest: runtime.platform: no entrypoint for linux/[a-z0-9]+ \\(the package is for linux/$other\\)" \
	'hub manifest for another arch' hub_try '["bin/server"]' ".runtime.platform.arch = \"$other\""
client_manifest "$T/c.json" "$T/b.tgz" bin/server \
	".entrypoints = [{os: \"linux\", arch: \"$other\", command: \"bin/server\"},
	                 {os: \"darwin\", arch: .entrypoints[0].arch, command: \"bin/server\"}]"
expect_fail 4 'manifest: entrypoints: no entrypoint for linux/' \
	'client manifest without an entrypoint for this machine' \
	$V --manifest "$T/c.json" --bundle "$T/b.tgz"
client_manifest "$T/c.json" "$T/b.tgz" bin/server \
	".entrypoints = [{os: \"darwin\", arch: .entrypoints[0].arch, command: \"npx\"},
	                 {os: \"linux\", arch: \"$other\", command: \"other\"}] + .entrypoints"
expect_ok 'the entrypoint for this machine is chosen' \
	$V --manifest "$T/c.json" --bundle "$T/b.tgz"
jq_check '.server.entrypoint.command == "bin/server" and .server.entrypoint.os == "linux"' \
	'linux entrypoint selected'

done_testing
