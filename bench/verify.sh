#!/bin/sh
# bench/verify.sh: mcp-verify against the tools a sysadmin would use by
# hand, on tmpfs (/dev/shm) so that the disk does not hide our own cost.
#
#  1. digest: a 512 MiB bundle hashed by mcp-verify (stopped right after
#     the digest by a wrong --bundle-digest, so only startup and SHA-256
#     are timed) against `openssl dgst -sha256` and `sha256sum`.
#  2. extraction: a bundle of 20,000 files extracted by mcp-verify into a
#     fresh cache (digest twice, checks, per-file SHA-256, index, read-only
#     modes) against `bsdtar -xf` into a fresh directory.
#
# Each measurement is repeated MCP_BENCH_RUNS times (default 5), the tools
# taking turns; the medians are compared.  Environment: MCP_VERIFY (the
# binary), MCP_BENCH_DIR (default /dev/shm, else $TMPDIR or /tmp),
# MCP_BENCH_MIB (default 512), MCP_BENCH_FILES (default 20000).
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
V=${MCP_VERIFY:-${top_builddir:-.}/mcp-verify/mcp-verify}
RUNS=${MCP_BENCH_RUNS:-5}
MIB=${MCP_BENCH_MIB:-512}
FILES=${MCP_BENCH_FILES:-20000}
if [ -z "${MCP_BENCH_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	MCP_BENCH_DIR=/dev/shm
fi
D=$(mktemp -d "${MCP_BENCH_DIR:-${TMPDIR:-/tmp}}/mcp-bench-verify.XXXXXX")
# The trees are read-only: make them writable to remove them.
cleanup() { chmod -R u+w "$D" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

[ -x "$V" ] || { echo "verify.sh: $V is not built" >&2; exit 1; }
for t in openssl sha256sum bsdtar python3; do
	command -v "$t" >/dev/null || { echo "verify.sh: $t is needed" >&2; exit 1; }
done

# Milliseconds taken by a command (output discarded; status ignored, the
# digest run fails on purpose).
ms() {
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

printf '{"schema_version":"1","package":{"id":"bench/verify","version":"1.0.0"},"runtime":{"type":"binary","platform":{"os":"linux","arch":"%s"}},"entrypoint":{"command":["bin/server"]}}\n' \
	"$(case $(uname -m) in aarch64 | arm64) echo arm64 ;; *) echo amd64 ;; esac)" >"$D/hub.json"
zero=sha256:0000000000000000000000000000000000000000000000000000000000000000

# 1. Digest.
head -c "$((MIB * 1024 * 1024))" /dev/urandom >"$D/big.tgz"
: >"$D/t.verify" && : >"$D/t.openssl" && : >"$D/t.sha256sum"
i=0
while [ "$i" -lt "$RUNS" ]; do
	ms "$V" --cache-dir "$D/cache" --manifest "$D/hub.json" --bundle "$D/big.tgz" \
		--bundle-digest "$zero" >>"$D/t.verify"
	ms openssl dgst -sha256 "$D/big.tgz" >>"$D/t.openssl"
	ms sha256sum "$D/big.tgz" >>"$D/t.sha256sum"
	i=$((i + 1))
done
mv_=$(median <"$D/t.verify") os_=$(median <"$D/t.openssl") ss_=$(median <"$D/t.sha256sum")
rm -f "$D/big.tgz"
printf 'digest of %d MiB in %s (median of %d)\n' "$MIB" "$D" "$RUNS"
printf '  mcp-verify          %8d ms\n' "$mv_"
printf '  openssl dgst        %8d ms   ratio mcp-verify/openssl   %s\n' "$os_" "$(ratio "$mv_" "$os_")"
printf '  sha256sum           %8d ms   ratio mcp-verify/sha256sum %s\n' "$ss_" "$(ratio "$mv_" "$ss_")"

# 2. Extraction of FILES files (2 bytes each, 250 to a directory).
python3 "$top_srcdir/tests/e2e/verify-mktar.py" "$D/many.tgz" \
	'x:bin/server:#!/bin/sh\n' "n:$FILES"
dig=sha256:$(sha256sum "$D/many.tgz" | cut -d' ' -f1)
: >"$D/t.extract" && : >"$D/t.bsdtar"
cleanup_tree() { chmod -R u+w "$D/cache" "$D/x" 2>/dev/null || true; rm -rf "$D/cache" "$D/x"; }
i=0
while [ "$i" -lt "$RUNS" ]; do
	cleanup_tree
	ms "$V" --cache-dir "$D/cache" --manifest "$D/hub.json" --bundle "$D/many.tgz" \
		--bundle-digest "$dig" >>"$D/t.extract"
	[ -d "$D/cache/trees/sha256/${dig#sha256:}" ] || { echo "verify.sh: extraction failed" >&2; exit 1; }
	cleanup_tree
	mkdir "$D/x"
	ms bsdtar -xf "$D/many.tgz" -C "$D/x" >>"$D/t.bsdtar"
	i=$((i + 1))
done
me_=$(median <"$D/t.extract") bt_=$(median <"$D/t.bsdtar")
printf 'extraction of %d files (median of %d)\n' "$FILES" "$RUNS"
printf '  mcp-verify          %8d ms\n' "$me_"
printf '  bsdtar -xf          %8d ms   ratio mcp-verify/bsdtar    %s\n' "$bt_" "$(ratio "$me_" "$bt_")"
