#!/bin/sh
# t5005: a full or read-only file system fails an append loudly (exit 1)
# and never leaves half a record: the log still verifies.  Runs in a
# private mount namespace on a 64 KiB tmpfs, so nothing leaks.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "ENOSPC: needs root to mount a tmpfs"
	done_testing
	exit
fi
if ! unshare -m true 2>/dev/null; then
	skip_strict "ENOSPC: unshare -m is not available here"
	done_testing
	exit
fi

recs 2 >small.jsonl
big=$(head -c 15000 /dev/zero | tr '\0' x)
i=1
while [ "$i" -le 8 ]; do
	printf '{"kind":"mcp.exec/v1","i":%d,"pad":"%s"}\n' "$i" "$big"
	i=$((i + 1))
done >big.jsonl

mkdir tiny
# Everything that touches the tmpfs runs inside the namespace; results
# go to $T, outside it.
timeout 60 unshare -m sh -c '
	set -u
	A=$1 D=$2 T=$3
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs -o size=64k,mode=0700 tmpfs "$D" || exit 3
	"$A" append --log "$D/audit.log" "$T/small.jsonl" >"$T/r1.out" 2>"$T/r1.err"; echo $? >"$T/r1.rc"
	"$A" append --log "$D/audit.log" "$T/big.jsonl" >"$T/r2.out" 2>"$T/r2.err"; echo $? >"$T/r2.rc"
	cp "$D/audit.log" "$T/full.log"
	"$A" verify --log "$D/audit.log" >"$T/v.out" 2>"$T/v.err"; echo $? >"$T/v.rc"
	mount -o remount,ro "$D" || exit 4
	"$A" append --log "$D/audit.log" "$T/small.jsonl" >"$T/r3.out" 2>"$T/r3.err"; echo $? >"$T/r3.rc"
	"$A" verify --log "$D/audit.log" >"$T/v2.out" 2>"$T/v2.err"; echo $? >"$T/v2.rc"
	exit 0
' sh "$A" "$T/tiny" "$T"
ns=$?
if [ "$ns" -eq 3 ] || [ "$ns" -eq 4 ]; then
	skip_strict "ENOSPC: cannot mount a tmpfs in a private namespace (status $ns)"
	done_testing
	exit
fi
check "the namespace ran" test "$ns" -eq 0
check "small records fit" test "$(cat r1.rc)" -eq 0
check "a full file system: exit 1" test "$(cat r2.rc)" -eq 1
check "stdout empty" test ! -s r2.out
check "stderr names the failure and says the log was left as it was" \
	grep -Eq '^mcp-audit: .*audit.log: cannot append record [0-9]+ \(log left as it was\): No space left on device$' r2.err
check "exactly one error line (warnings aside)" test "$(grep -vc 'warning:' r2.err)" -eq 1
check "some big records made it before the disk filled" test "$(wc -l <full.log)" -gt 2
check "the log ends with a whole line" test "$(tail -c 1 full.log | od -An -c | tr -d ' ')" = '\n'
jqs 'length > 2' "every line is whole JSON" full.log
check "the full log verifies" test "$(cat v.rc)" -eq 0
check "verify printed the head" test "$(cat v.out)" = "$(tail -n 1 full.log | jq -r .hash)"
check "read-only file system: exit 1" test "$(cat r3.rc)" -eq 1
check "read-only: the message says so" grep -q 'Read-only file system' r3.err
check "read-only: stdout empty" test ! -s r3.out
check "the log still verifies afterwards" test "$(cat v2.rc)" -eq 0
check "the tmpfs did not leak out of the namespace" sh -c "! grep -q ' $T/tiny ' /proc/mounts"

done_testing
