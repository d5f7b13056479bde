#!/bin/sh
# run.sh: run fuzz targets for a while each (make fuzz-smoke, make fuzz).
#
# Usage: run.sh --seconds N --srcdir DIR [--jobs J] NAME...
#
# Run from the build directory.  Each fuzz/fuzz_NAME runs for N seconds on
# fuzz/corpus/NAME (where new inputs are kept) plus the read-only
# regression inputs of DIR/fuzz/regress/NAME, with the dictionary
# fuzz/dict/NAME.dict when there is one, its log in
# fuzz/logs/NAME.log and any crashing input in fuzz/artifacts/NAME/.
# Prints one "PASS: fuzz NAME ..." or "FAIL: fuzz NAME" line per target,
# with libFuzzer's final statistics, and fails if any target failed.
set -u

prog=run.sh
seconds='' srcdir=''
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--srcdir) srcdir=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "$prog: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ -z "$seconds" ] || [ -z "$srcdir" ] || [ $# -eq 0 ]; then
	echo "usage: $prog --seconds N --srcdir DIR NAME..." >&2
	exit 2
fi

# Leaks are findings too; a slow input (25 s) or 2 GB of memory is one.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

status=0
mkdir -p fuzz/logs
for name in "$@"; do
	bin=fuzz/fuzz_$name
	log=fuzz/logs/$name.log
	mkdir -p "fuzz/corpus/$name" "fuzz/artifacts/$name"
	# (for expanded its list once: reusing "$@" here is safe)
	set -- "fuzz/corpus/$name"
	[ -d "$srcdir/fuzz/regress/$name" ] && set -- "$@" "$srcdir/fuzz/regress/$name"
	dict=
	[ -f "fuzz/dict/$name.dict" ] && dict=-dict=fuzz/dict/$name.dict
	# shellcheck disable=SC2086
	"$bin" $dict -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="fuzz/artifacts/$name/" "$@" >"$log" 2>&1
	rc=$?
	# The last status line: "#N DONE cov: C ft: F corp: K/S ..."
	stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 |
		sed -E 's/^#([0-9]+)[[:space:]]+[A-Z]+[[:space:]]+cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/\1 execs, cov \2, ft \3, corpus \4/')
	if [ "$rc" -eq 0 ]; then
		echo "PASS: fuzz $name ($stats in ${seconds}s)"
	else
		echo "FAIL: fuzz $name (exit $rc; log $log)"
		grep -E 'ERROR|invariant failed|SUMMARY|Test unit written' "$log" | head -n 20
		status=1
	fi
done
exit $status
