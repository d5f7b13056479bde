#!/bin/sh
# bench/audit.sh: mcp-audit against the floor of what it does.
#
#  1. append: records per second from a file, against plain C loops of
#     write() of lines of the same size (bench/fsync-loop.c) in the same
#     directory: with one fdatasync() per line (the classic durable log;
#     target >= 0.8), and with one fdatasync() per 1024 lines, which is
#     how append syncs input that is at hand (once per lock hold): that
#     ratio is mcp-audit's CPU cost per record (parse, redact, hash).
#  2. verify: bytes per second re-checking the chain, against sha256sum
#     of the same file (what any integrity check must at least do).
#
# Environment: MCP_AUDIT (the binary), MCP_BENCH_DIR (a directory on the
# disk to measure, default $TMPDIR or /tmp), MCP_BENCH_RECORDS (append,
# default 5000), MCP_BENCH_VERIFY_RECORDS (verify, default 200000), CC.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
A=${MCP_AUDIT:-${top_builddir:-.}/mcp-audit/mcp-audit}
N=${MCP_BENCH_RECORDS:-5000}
NV=${MCP_BENCH_VERIFY_RECORDS:-200000}
D=$(mktemp -d "${MCP_BENCH_DIR:-${TMPDIR:-/tmp}}/mcp-bench-audit.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM

[ -x "$A" ] || { echo "audit.sh: $A is not built" >&2; exit 1; }
LOOP=$D/fsync-loop
${CC:-cc} -O2 -o "$LOOP" "$top_srcdir/bench/fsync-loop.c"

# Seconds since an arbitrary point, with nanoseconds.
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

# A typical exec end record (about 300 bytes once in the log).
records() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "{\"kind\":\"mcp.exec/v1\",\"event\":\"end\",\"package\":\"acme/files\",\"version\":\"1.4.2\",\"pid\":%d,\"outcome\":\"success\",\"exit_code\":0,\"wait_status\":0,\"signal\":null,\"duration_ms\":%d,\"cpu_ms\":{\"user\":20,\"system\":4},\"peak_memory_bytes\":10485760}\n", 1000 + i, i * 7 }'
}
records "$N" >"$D/in.jsonl"

# The line length mcp-audit writes for these records.
"$A" append --log "$D/probe.log" "$D/in.jsonl"
len=$(( $(wc -c <"$D/probe.log") / N ))
rm -f "$D/probe.log" "$D/probe.log.head"

run_append() {
	rm -f "$D/a.log" "$D/a.log.head"
	t0=$(now)
	"$A" append --log "$D/a.log" "$D/in.jsonl"
	t1=$(now)
	t=$(elapsed "$t0" "$t1")
	if [ -z "$best_append" ] || [ "$(echo "$t < $best_append" | bc -l)" = 1 ]; then best_append=$t; fi
}
run_loop() {
	rm -f "$D/loop.out"
	t=$("$LOOP" "$D/loop.out" "$N" "$len")
	if [ -z "$best_loop" ] || [ "$(echo "$t < $best_loop" | bc -l)" = 1 ]; then best_loop=$t; fi
	rm -f "$D/loop.out"
	t=$("$LOOP" "$D/loop.out" "$N" "$len" 1024)
	if [ -z "$best_batch" ] || [ "$(echo "$t < $best_batch" | bc -l)" = 1 ]; then best_batch=$t; fi
}
# Best of three, taking turns to go first: the disk's noise is not ours.
best_append= best_loop= best_batch=
for run in 1 2 3; do
	if [ "$run" = 2 ]; then run_loop; run_append; else run_append; run_loop; fi
done
rate_a=$(echo "$N / $best_append" | bc -l)
rate_l=$(echo "$N / $best_loop" | bc -l)
printf 'append:  %d records of %d bytes in %s\n' "$N" "$len" "$D"
rate_b=$(echo "$N / $best_batch" | bc -l)
printf '  mcp-audit append      %10.0f records/s  (one fdatasync per lock hold)\n' "$rate_a"
printf '  write+fdatasync loop  %10.0f lines/s    (one fdatasync per line)\n' "$rate_l"
printf '  ratio                 %10.2f  (target >= 0.80)\n' "$(echo "$rate_a / $rate_l" | bc -l)"
printf '  write loop, batched   %10.0f lines/s    (one fdatasync per 1024 lines)\n' "$rate_b"
printf '  ratio                 %10.2f  (CPU cost per record)\n' "$(echo "$rate_a / $rate_b" | bc -l)"

# The same on tmpfs, where fdatasync costs nothing: what is left is the
# CPU mcp-audit spends per record (parse, redact, hash, lock), which the
# disk's latency normally hides.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	sdir=$(mktemp -d /dev/shm/mcp-bench-audit.XXXXXX)
	saved_D=$D best_append= best_loop= best_batch=
	cp "$D/in.jsonl" "$sdir/in.jsonl"
	D=$sdir
	for run in 1 2 3; do run_append; run_loop; done
	D=$saved_D
	rm -rf "$sdir"
	printf 'append on tmpfs (no disk latency: CPU cost only)\n'
	printf '  mcp-audit append      %10.0f records/s\n' "$(echo "$N / $best_append" | bc -l)"
	printf '  write loop, batched   %10.0f lines/s\n' "$(echo "$N / $best_batch" | bc -l)"
	printf '  ratio                 %10.2f\n' "$(echo "$best_batch / $best_append" | bc -l)"
fi

# Verify: a bigger log, written where syncing is cheap (the hashing is
# what is measured), then read from the page cache by both tools.
vdir=$D
[ -d /dev/shm ] && [ -w /dev/shm ] && vdir=$(mktemp -d /dev/shm/mcp-bench-audit.XXXXXX)
records "$NV" >"$D/v.jsonl"
"$A" append --log "$vdir/v.log" "$D/v.jsonl"
size=$(wc -c <"$vdir/v.log")
best_v= best_s=
for run in 1 2 3; do
	t0=$(now); "$A" verify --log "$vdir/v.log" >/dev/null; t1=$(now)
	t=$(elapsed "$t0" "$t1")
	if [ -z "$best_v" ] || [ "$(echo "$t < $best_v" | bc -l)" = 1 ]; then best_v=$t; fi
	t0=$(now); sha256sum "$vdir/v.log" >/dev/null; t1=$(now)
	t=$(elapsed "$t0" "$t1")
	if [ -z "$best_s" ] || [ "$(echo "$t < $best_s" | bc -l)" = 1 ]; then best_s=$t; fi
done
[ "$vdir" = "$D" ] || rm -rf "$vdir"
mb=$(echo "$size / 1048576" | bc -l)
printf 'verify:  %d lines, %.1f MiB\n' "$NV" "$mb"
printf '  mcp-audit verify      %10.1f MiB/s  (%.0f lines/s)\n' "$(echo "$mb / $best_v" | bc -l)" "$(echo "$NV / $best_v" | bc -l)"
printf '  sha256sum             %10.1f MiB/s\n' "$(echo "$mb / $best_s" | bc -l)"
printf '  ratio                 %10.2f\n' "$(echo "$best_s / $best_v" | bc -l)"
