#!/bin/sh
# bench/exec.sh: mcp-exec's start-up cost, to a /bin/true entrypoint.
#
# Median wall time of a whole run (start, exec /bin/true, exit, clean up)
# over interleaved rounds, and the time of a burst of back-to-back runs,
# for:
#   fork+exec      /bin/true alone (bench/exec-time.c forks and execs it)
#   floor          prlimit --nofile=64 /bin/true: two execs, one limit
#   limits only    mcp-exec, isolation.disable = namespaces, landlock,
#                  seccomp (fds, environment, cgroup, rlimits, identity...)
#   isolated       mcp-exec with every layer (the default)
#   bwrap          bwrap --unshare-all with a comparable private root
#   firejail       firejail --quiet --net=none --private --seccomp
# printed as milliseconds, as a ratio to bwrap and as overhead above the
# floor.  Targets: limits only, at most half of bwrap's overhead above
# the floor; isolated <= 1.0 x bwrap.  A peer that is not installed
# is skipped, saying how to install it.
#
# Environment: MCP_EXEC (the binary), MCP_BENCH_ROUNDS (default 100),
# MCP_BENCH_BURST (default 100), CC.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
X=${MCP_EXEC:-${top_builddir:-.}/mcp-exec/mcp-exec}
R=${MCP_BENCH_ROUNDS:-100}
B=${MCP_BENCH_BURST:-100}
D=$(mktemp -d "${TMPDIR:-/tmp}/mcp-bench-exec.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM

[ -x "$X" ] || { echo "exec.sh: $X is not built" >&2; exit 1; }
TIMER=$D/exec-time
${CC:-cc} -O2 -o "$TIMER" "$top_srcdir/bench/exec-time.c"
TRUE=$(command -v true)
case $TRUE in /*) ;; *) TRUE=/bin/true ;; esac
chmod 755 "$D"

spec() {
	jq -n --arg t "$TRUE" --argjson off "$2" '
	  {kind: "mcp.spec/v1",
	   process: {argv: [$t], cwd: "/", env: {PATH: "/usr/bin:/bin"}},
	   network: {mode: "none", allow: []}, subprocess: false,
	   limits: {cpu_millicores: 1000, memory_bytes: 268435456, pids: 64,
	            fds: 64, timeout_ms: 30000},
	   isolation: {require: [], degrade: [], disable: $off}}' >"$1"
	chmod 644 "$1"
}
spec "$D/limits.json" '["namespaces", "landlock", "seccomp"]'
spec "$D/full.json" '[]'

names="fork+exec floor limits-only isolated"
set -- "$TRUE" -- "$(command -v prlimit)" --nofile=64 "$TRUE" \
	-- "$X" -q "$D/limits.json" -- "$X" -q "$D/full.json"
if command -v bwrap >/dev/null 2>&1; then
	names="$names bwrap"
	links=
	for l in bin sbin lib lib32 lib64 libx32; do
		if [ -L "/$l" ]; then
			links="$links --symlink $(readlink "/$l") /$l"
		elif [ -d "/$l" ]; then
			links="$links --ro-bind /$l /$l"
		fi
	done
	# shellcheck disable=SC2086
	set -- "$@" -- "$(command -v bwrap)" --unshare-all --die-with-parent \
		--new-session --ro-bind /usr /usr $links \
		--ro-bind /etc/ld.so.cache /etc/ld.so.cache --proc /proc \
		--dev /dev --tmpfs /tmp --chdir / "$TRUE"
else
	echo "bwrap: not installed (apt-get install bubblewrap): skipped"
fi
if command -v firejail >/dev/null 2>&1 &&
	firejail --quiet --net=none --private --seccomp "$TRUE" >/dev/null 2>&1; then
	names="$names firejail"
	set -- "$@" -- "$(command -v firejail)" --quiet --net=none --private \
		--seccomp "$TRUE"
else
	echo "firejail: not installed or not working here (apt-get install firejail): skipped"
fi

"$TIMER" "$R" "$B" "$@" >"$D/res"

# name median_us burst_ms, one line each.
echo "$names" | tr ' ' '\n' | paste -d' ' - "$D/res" >"$D/table"
floor=$(awk '$1 == "floor" { print $2 }' "$D/table")
bw=$(awk '$1 == "bwrap" { print $2 }' "$D/table")
echo "start-up to $TRUE, median of $R interleaved rounds; burst of $B runs:"
awk -v floor="$floor" -v bw="${bw:-0}" -v b="$B" '
{
	printf "  %-12s %8.2f ms", $1, $2 / 1000
	printf "  (+%6.2f ms over the floor", ($2 - floor) / 1000
	if (bw > 0) printf ", %5.2f x bwrap", $2 / bw
	printf ")  burst %6d ms\n", $3
}' "$D/table"
if [ -n "$bw" ]; then
	lim=$(awk '$1 == "limits-only" { print $2 }' "$D/table")
	awk -v l="$lim" -v b="$bw" -v f="$floor" 'BEGIN {
		r = (l - f) / (b - f)
		printf "limits-only overhead / bwrap overhead (above the floor) = %.2f (target <= 0.5): %s\n",
		    r, r <= 0.5 ? "met" : "NOT met" }'
	iso=$(awk '$1 == "isolated" { print $2 }' "$D/table")
	awk -v i="$iso" -v b="$bw" 'BEGIN {
		r = i / b
		printf "isolated / bwrap = %.2f (target <= 1.0): %s\n", r,
		    r <= 1.0 ? "met" : "NOT met" }'
fi
