#!/bin/sh
# mcp-exec: command line and strict spec checks (exit 2, one error line,
# nothing run).
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

expect_ok "--help exits 0" "$MCP_EXEC" --help
check "--help prints the usage" grep -q '^Usage: mcp-exec' "$T/out"
check "--help lists --records-fd" grep -q -- '--records-fd N' "$T/out"
expect_ok "--version exits 0" "$MCP_EXEC" --version
check "--version names the tool" grep -q '^mcp-exec (mcp-tools) ' "$T/out"

mkspec good.json '["/bin/true"]'
expect_fail 2 'missing SPEC-FILE' "no spec" "$MCP_EXEC"
expect_fail 2 'too many arguments' "two specs" "$MCP_EXEC" good.json good.json
expect_fail 2 'stdin belongs to the server' "spec from -" "$MCP_EXEC" -
expect_fail 2 'unknown option --frobnicate' "unknown option" \
	"$MCP_EXEC" --frobnicate good.json
expect_fail 2 'option --records given twice' "repeated option" \
	"$MCP_EXEC" --records a --records b good.json
expect_fail 2 '--records and --records-fd exclude each other' \
	"--records with --records-fd" \
	"$MCP_EXEC" --records a --records-fd 5 good.json 5>/dev/null
expect_fail 2 'option --records-fd: descriptors 0, 1 and 2 belong' \
	"--records-fd 1" "$MCP_EXEC" --records-fd 1 good.json
expect_fail 2 'option --records-fd: descriptor 7 is not open' \
	"--records-fd not open" "$MCP_EXEC" --records-fd 7 good.json
expect_fail 2 'option --records-fd: descriptor 6 is not open for writing' \
	"--records-fd read-only" "$MCP_EXEC" --records-fd 6 good.json 6<good.json
expect_fail 2 'option --grace: "x" is not a decimal integer' "bad --grace" \
	"$MCP_EXEC" --grace x good.json
expect_fail 2 'option --json works only with --probe' "--json alone" \
	"$MCP_EXEC" --json good.json
expect_fail 2 'option --probe takes no spec' "--probe with a spec" \
	"$MCP_EXEC" --probe good.json
expect_fail 2 '--spec-fd and SPEC-FILE exclude each other' \
	"--spec-fd with SPEC-FILE" "$MCP_EXEC" --spec-fd 5 good.json 5<good.json
if is_root; then
	expect_fail 2 'option --user: the server never runs as root' \
		"--user 0 refused" "$MCP_EXEC" --user 0 good.json
	expect_fail 2 'option --user: no such user "no-such-user-x"' \
		"--user unknown" "$MCP_EXEC" --user no-such-user-x good.json
else
	expect_fail 2 'option --user: only root can choose' \
		"--user as non-root" "$MCP_EXEC" --user 65534 good.json
fi
expect_fail 2 'nosuch.json: ' "missing spec file" "$MCP_EXEC" nosuch.json

# The table of bad specs: "NAME|JQ-FILTER|EXPECTED ERROR (regex)".
# Each runs /bin/sh writing a marker, which must never appear.
while IFS='|' read -r name filter pat; do
	[ -n "$name" ] || continue
	mkspec bad.json '["/bin/sh", "-c", "echo ran > marker"]' "$filter"
	expect_fail 2 "bad.json: $pat" "bad spec: $name" "$MCP_EXEC" bad.json
	check "bad spec: $name: nothing ran" test ! -e marker
done <<'TABLE'
wrong kind|.kind = "mcp.verified/v1"|expected mcp.spec/v1 document, got mcp.verified/v1
newer version|.kind = "mcp.spec/v2"|unsupported document version
no kind|del(.kind)|not an mcp document
missing limits|del(.limits)|limits: must be an object
missing limits.fds|del(.limits.fds)|limits.fds: must be an integer between 1 and 1048576
zero pids|.limits.pids = 0|limits.pids: must be an integer between 1 and 4194304
negative memory|.limits.memory_bytes = -1|limits.memory_bytes: must be an integer between 1 and
string timeout|.limits.timeout_ms = "8h"|limits.timeout_ms: must be an integer
float cpu|.limits.cpu_millicores = 1.5|limits.cpu_millicores: must be an integer
huge fds|.limits.fds = 100000000|limits.fds: must be an integer between 1 and 1048576
relative argv[0]|.process.argv[0] = "sh"|process.argv\[0\]: must be an absolute path
empty argv|.process.argv = []|process.argv: must be an array of 1 to
non-string argv|.process.argv[1] = 5|process.argv\[1\]: must be a string
missing process|del(.process)|process: must be an object
relative cwd|.process.cwd = "tmp"|process.cwd: must be an absolute path
non-string env|.process.env.FOO = 1|process.env.FOO: must be a string
bad env name|.process.env["A=B"] = "x"|process.env.A=B: is not a valid variable name
env not an object|.process.env = ["A"]|process.env: must be an object
bad pass_env|.process.pass_env = ["1X"]|process.pass_env\[0\]: must be a valid variable name
bad secret|.process.secrets = [{"name": "K", "as": "pipe"}]|process.secrets\[0\].as: must be "env" or "file"
bad umask|.process.umask = "999"|process.umask: must be an octal string
unknown layer|.isolation = {"require": ["magic"]}|isolation.require\[0\]: is not a layer
bad identity|.ref = 5|ref: must be a string or null
relative tree|.tree = "rel/tree"|tree: must be an absolute path other than /
bad network mode|.network = {"mode": "open"}|network.mode: must be "none", "allowlist" or "host"
bad allow entry|.network = {"mode": "allowlist", "allow": ["example.org"]}|network.allow\[0\]: must be a "host:port" string
bad allow port|.network = {"mode": "allowlist", "allow": ["example.org:99999"]}|network.allow\[0\]: must end in a port from 1 to 65535
subprocess not boolean|.subprocess = "yes"|subprocess: must be true or false
bad transport port|.transport = {"type": "http", "port": 0}|transport.port: must be an integer from 1 to 65535
bad disable|.isolation = {"disable": ["identity"]}|isolation.disable\[0\]: only namespaces, landlock and seccomp can be disabled
TABLE

printf '{"kind": "mcp.spec/v1",' >trunc.json
expect_fail 2 'trunc.json' "truncated JSON" "$MCP_EXEC" trunc.json
done_testing
