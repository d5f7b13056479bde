#!/bin/sh
# t7001: mcp-pack refuses what it cannot pack, each with one line on
# stderr, nothing on stdout and the documented exit code: bad references
# and options (2), trees mcp-verify would refuse (4), a registry version
# that would change (1); and nothing is left behind by a failure.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/pack-lib.sh"

P=$MCP_PACK
mktree "$T/tree"
reg=$T/reg

# usage CODE PATTERN DESC ARGS...: mcp-pack ARGS fails as told, stdout empty.
usage() {
	_c=$1 _p=$2 _d=$3
	shift 3
	expect_fail "$_c" "^mcp-pack: $_p" "$_d" "$P" "$@"
	check "$_d: nothing on stdout" test ! -s "$T/out"
}

usage 2 'expected ORG/NAME@VERSION and DIR' "no operands"
usage 2 'say where the package goes' "no destination" \
	--command python3 acme/tree@1.0.0 "$T/tree"
usage 2 'option --command is required' "no command" \
	--registry "$reg" acme/tree@1.0.0 "$T/tree"
usage 2 '.*No such file or directory' "a missing directory" \
	--registry "$reg" --command python3 acme/tree@1.0.0 "$T/nosuch"
usage 2 '.*Not a directory' "a file as the directory" \
	--registry "$reg" --command python3 acme/tree@1.0.0 "$T/tree/server.py"
usage 2 '.*' "a bad package id" \
	--registry "$reg" --command python3 'ac me/tree@1.0.0' "$T/tree"
usage 2 '.*' "a package without a version" \
	--registry "$reg" --command python3 acme/tree "$T/tree"
usage 2 '.*' "a version that is not semver" \
	--registry "$reg" --command python3 acme/tree@1.0 "$T/tree"
usage 2 '.*not latest' "latest is not a version to pack" \
	--registry "$reg" --command python3 acme/tree@latest "$T/tree"
usage 2 'option --registry excludes --bundle' "--registry with --bundle" \
	--registry "$reg" --bundle b --manifest m --command python3 acme/tree@1.0.0 "$T/tree"
usage 2 'option --port needs --transport http' "--port without http" \
	--registry "$reg" --command python3 --port 80 acme/tree@1.0.0 "$T/tree"
usage 2 'option --transport http needs --port' "http without --port" \
	--registry "$reg" --command python3 --transport http acme/tree@1.0.0 "$T/tree"
usage 2 'option --git-sha' "a short git sha" \
	--registry "$reg" --command python3 --git-sha abc acme/tree@1.0.0 "$T/tree"
usage 2 'option --max-memory' "a bad memory size" \
	--registry "$reg" --command python3 --max-memory lots acme/tree@1.0.0 "$T/tree"
usage 2 'manifest: permissions_requested.network\[0\]' "a bad network request" \
	--registry "$reg" --command python3 --network 'no port' acme/tree@1.0.0 "$T/tree"
usage 2 'manifest: permissions_requested.environment\[0\]' "a bad variable name" \
	--registry "$reg" --command python3 --env '1BAD' acme/tree@1.0.0 "$T/tree"
usage 2 'manifest: entrypoints\[0\].command: .*package runner' "npx as the command" \
	--registry "$reg" --command npx acme/tree@1.0.0 "$T/tree"
usage 2 'manifest: entrypoints\[0\].command' "a command leaving the tree" \
	--registry "$reg" --command ../x acme/tree@1.0.0 "$T/tree"
usage 2 'option --status' "an unknown status" \
	--registry "$reg" --status shiny --command python3 acme/tree@1.0.0 "$T/tree"
usage 2 'options --status.*need --registry' "--status without --registry" \
	--bundle b --manifest m --status published --command python3 acme/tree@1.0.0 "$T/tree"
SOURCE_DATE_EPOCH=yesterday
export SOURCE_DATE_EPOCH
usage 2 'SOURCE_DATE_EPOCH: "yesterday"' "a bad SOURCE_DATE_EPOCH" \
	--registry "$reg" --command python3 acme/tree@1.0.0 "$T/tree"
unset SOURCE_DATE_EPOCH

# The entrypoint must be in the tree.
usage 4 '.*/tree/bin/nosuch: the entrypoint command is not in the tree' \
	"a missing entrypoint" \
	--registry "$reg" --command bin/nosuch acme/tree@1.0.0 "$T/tree"
usage 4 '.*/tree/server.py: the entrypoint command is not executable' \
	"an entrypoint without an execute bit" \
	--registry "$reg" --command server.py acme/tree@1.0.0 "$T/tree"
usage 4 '.*/tree/lib: the entrypoint command is not a regular file' \
	"a directory as the entrypoint" \
	--registry "$reg" --command lib acme/tree@1.0.0 "$T/tree"
usage 4 '.*/tree/missing.py: the python3 script is not in the tree' \
	"a missing interpreter script" \
	--registry "$reg" --command python3 --arg missing.py acme/tree@1.0.0 "$T/tree"
usage 4 'entrypoint argument "../x.py": leaves the bundle' \
	"a script outside the tree" \
	--registry "$reg" --command python3 --arg ../x.py acme/tree@1.0.0 "$T/tree"

# Trees mcp-verify would refuse.
bad() {
	_what=$1 _pat=$2
	shift 2
	rm -rf "$T/bad"
	mktree "$T/bad"
	"$@"
	usage 4 "$_pat" "$_what" --registry "$reg" --command python3 \
		acme/tree@1.0.0 "$T/bad"
}
bad "a symlink out of the tree" '.*/bad/lib/out: symlink to "../../.." leaves the tree' \
	ln -s ../../.. "$T/bad/lib/out"
bad "an absolute symlink" '.*/bad/abs: symlink has an absolute target' \
	ln -s /etc/passwd "$T/bad/abs"
bad "a symlink through a symlink" '.*passes through the symlink' \
	sh -c "ln -s . '$T/bad/s' && ln -s s/.. '$T/bad/t'"
if mkfifo "$T/fifo-probe" 2>/dev/null; then
	bad "a FIFO" '.*/bad/lib/fifo: is a FIFO \(only directories, regular files and symlinks can be packed\)' \
		mkfifo "$T/bad/lib/fifo"
else
	skip "mkfifo does not work here"
fi
bad "a name with a control character" '.*name contains control characters' \
	touch "$T/bad/$(printf 'a\001b')"
rm -rf "$T/bad"
mkdir "$T/empty"
usage 4 '.*/empty: the directory is empty' "an empty directory" \
	--registry "$reg" --command python3 acme/tree@1.0.0 "$T/empty"
check "no failure left a file in the registry" \
	sh -c "[ ! -d '$reg' ] || [ -z \"\$(find '$reg' -type f)\" ]"

# A registered version is immutable.
expect_ok "pack acme/tree@1.0.0" \
	"$P" --registry "$reg" --command python3 --arg server.py acme/tree@1.0.0 "$T/tree"
jq_check '.action == "added"' "the first pack adds the version"
expect_ok "the same tree again" \
	"$P" --registry "$reg" --command python3 --arg server.py acme/tree@1.0.0 "$T/tree"
jq_check '.action == "unchanged"' "the same digests leave the version unchanged"
printf 'changed\n' >>"$T/tree/lib/deep/data.txt"
usage 1 'acme/tree@1.0.0 is already in the registry with other digests .*--force' \
	"another tree under the same version" \
	--registry "$reg" --command python3 --arg server.py acme/tree@1.0.0 "$T/tree"
check "the refused pack left no temporary file" \
	test -z "$(find "$reg" -name '.mcp-pack.*')"
check "the refused pack left the blobs as they were (no blob added)" \
	test "$(find "$reg/blobs" -type f | wc -l)" -eq 2
expect_ok "--force replaces it" \
	"$P" --registry "$reg" --force --command python3 --arg server.py acme/tree@1.0.0 "$T/tree"
jq_check '.action == "replaced"' "the version is reported replaced"
cp "$reg/packages/acme/tree.json" "$reg/packages/acme/other.json"
usage 1 '.*other.json: package: must be "acme/other"' \
	"an index naming another package is not touched" \
	--registry "$reg" --command python3 acme/other@1.0.0 "$T/tree"
done_testing
