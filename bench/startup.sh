#!/bin/sh
# bench/startup.sh: what mcp-run adds to a server's start, as a client
# sees it: the time from starting the command to the first line of the
# answer to an MCP initialize request (bench/first-reply.c), median over
# interleaved rounds, with everything cached (the first, uncounted round
# fills the cache), for:
#   echo-c         the example C server
#   echo-python    the example python3 server
#   server-memory  @modelcontextprotocol/server-memory from npm (packed
#                  with mcp-pack); also npx in its install directory
#                  (sh -c 'cd DIR && exec npx ...')
# each run directly (the argv of the spec mcp-run ran, from the audit
# log: the same interpreter, entrypoint and arguments) and by mcp-run,
# printed as milliseconds, the milliseconds mcp-run adds to running the
# entrypoint directly (target: at most 25 ms; the median of the per-round
# differences, and the difference of the medians), and ratios.  mcp-run runs
# the whole pipeline each time: fetch (a cache hit: the manifest hashed,
# the bundle checked against its seal), verify (the bundle and the tree
# checked against their seals, lstat(2) only, once they are 2 s old; see
# mcp-verify(1)), policy, the
# documents appended to an audit log in the bench directory (one
# fdatasync), mcp-exec with every isolation layer.
#
# Environment: MCP_RUN, MCP_PACK, MCP_EXAMPLES (the build's), NODE,
# MCP_TEST_NPM (the npm trees, default tests/npm), MCP_BENCH_ROUNDS
# (default 30), MCP_BENCH_DIR (default $TMPDIR or /tmp), CC.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
RUN=${MCP_RUN:-$top_builddir/mcp-run/mcp-run}
PACK=${MCP_PACK:-$top_builddir/mcp-pack/mcp-pack}
EX=${MCP_EXAMPLES:-$top_builddir/examples}
NPM=${MCP_TEST_NPM:-$top_srcdir/tests/npm}
R=${MCP_BENCH_ROUNDS:-30}
D=$(mktemp -d "${MCP_BENCH_DIR:-${TMPDIR:-/tmp}}/mcp-bench-startup.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM

for f in "$RUN" "$PACK"; do
	[ -x "$f" ] || { echo "startup.sh: $f is not built" >&2; exit 1; }
done
[ -d "$EX/registry" ] || { echo "startup.sh: $EX/registry is not built" >&2; exit 1; }
TIMER=$D/first-reply
${CC:-cc} -O2 -o "$TIMER" "$top_srcdir/bench/first-reply.c"
node=${NODE:-$(command -v node || echo no)}
have_npm=yes
if [ "$node" = no ] || [ ! -f "$NPM/memory/node_modules/@modelcontextprotocol/server-memory/package.json" ]; then
	have_npm=no
	echo "startup.sh: server-memory skipped: node or $NPM/memory/node_modules missing (./quickstart.sh --deps)"
fi

run() {
	echo "$RUN" --cache-dir "$D/cache" --audit-log "$D/audit.log" "$@"
}
# argv REGISTRY REF: run REF once through mcp-run (which fills the cache)
# and print the argv of the spec it ran, words separated by spaces (none
# may hold one): "the same entrypoint", run directly.
argv() {
	# shellcheck disable=SC2046
	$(run --registry "$1" "$2") </dev/null >/dev/null
	jq -r -s --arg p "${2%@*}" '[.[] | .record | select(.kind == "mcp.spec/v1" and
		.package == $p)][-1].process.argv |
		if any(test("[[:space:]]")) then error("a word with a space")
		else join(" ") end' "$D/audit.log"
}
ECHO_C=$(argv "$EX/registry" examples/echo-c@1.0.0)
PY=$(argv "$EX/registry" examples/echo-python@1.1.0)

# For each server: the entrypoint directly, [npx,] mcp-run; the commands
# as words separated by "--".
# shellcheck disable=SC2046,SC2086
set -- $ECHO_C -- $(run --registry "$EX/registry" examples/echo-c@1.0.0) \
	-- $PY -- $(run --registry "$EX/registry" examples/echo-python@1.1.0)
names="echo-c echo-python"
if [ "$have_npm" = yes ]; then
	ver=$(jq -r '.packages["node_modules/@modelcontextprotocol/server-memory"].version' \
		"$NPM/memory/package-lock.json")
	"$PACK" -q --registry "$D/reg" --command node \
		--arg node_modules/@modelcontextprotocol/server-memory/dist/index.js \
		--max-fds 1024 --max-memory 512M "npm/server-memory@$ver" \
		"$NPM/memory" >/dev/null
	MEM=$(argv "$D/reg" "npm/server-memory@$ver")
	# shellcheck disable=SC2046,SC2086
	set -- "$@" -- $MEM \
		-- /bin/sh -c "cd '$NPM/memory' && exec npx --offline --no-install mcp-server-memory" \
		-- $(run --registry "$D/reg" "npm/server-memory@$ver")
	names="$names server-memory"
fi
echo "startup: $R rounds, median ms to the first reply to initialize (min..max), audit log in $D"
"$TIMER" -r "$D/raw" "$R" "$@" >"$D/times"

# ms LINE: the median and range of one line of the timer's output.
line() {
	sed -n "${1}p" "$D/times"
}
ms() {
	echo "$1" | awk '{ printf "%7.1f  (%.1f..%.1f)", $1 / 1000, $2 / 1000, $3 / 1000 }'
}
# paired A B: the median, over the rounds, of command B's time minus
# command A's in the same round (commands counted from 1), in ms: the
# rounds interleave the commands, so this cancels what the machine was
# doing at that moment better than a difference of medians.
paired() {
	awk -v a=$(($1 - 1)) -v b=$(($2 - 1)) '
		$2 == a { ta[$1] = $3 } $2 == b { tb[$1] = $3 }
		END { for (r in ta) print (tb[r] - ta[r]) / 1000 }' "$D/raw" |
		sort -n | awk '{ v[NR] = $1 } END {
			printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
n=1
for name in $names; do
	direct=$(line $n)
	n0=$n
	if [ "$name" = server-memory ]; then
		npx=$(line $((n + 1)))
		nr=$((n + 2))
		n=$((n + 3))
	else
		npx=
		nr=$((n + 1))
		n=$((n + 2))
	fi
	viarun=$(line $nr)
	d=${direct%% *}
	r=${viarun%% *}
	printf '%s\n' "$name"
	printf '  entrypoint directly %s\n' "$(ms "$direct")"
	[ -n "$npx" ] && printf '  npx                 %s\n' "$(ms "$npx")"
	printf '  mcp-run             %s\n' "$(ms "$viarun")"
	printf '  mcp-run adds        %7.1f ms  (target <= 25; median of the rounds'"'"' differences)\n' \
		"$(paired "$n0" "$nr")"
	printf '  difference of medians %5.1f ms\n' "$(echo "($r - $d) / 1000" | bc -l)"
	printf '  ratio mcp-run / entrypoint  %5.2f\n' "$(echo "$r / $d" | bc -l)"
	[ -n "$npx" ] && printf '  ratio mcp-run / npx         %5.2f\n' "$(echo "$r / ${npx%% *}" | bc -l)"
done
