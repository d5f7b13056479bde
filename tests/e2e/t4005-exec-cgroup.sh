#!/bin/sh
# mcp-exec as root: the run's cgroup (v1 controllers, v2 where it can),
# the identity drop, and hostile servers, each inside an outer safety net
# (a parent cgroup with its own memory and pids limits, and a timeout) so
# that a confinement bug fails the test instead of the machine.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

if ! is_root; then
	skip "not root: the cgroup and identity tests need root"
	done_testing
	exit
fi

# The safety net: NET_DIRS are cgroups under our own, one per hierarchy.
NET_DIRS=
own_cg() { # own_cg CONTROLLER: our cgroup directory in its v1 hierarchy
	_p=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
	[ -n "$_p" ] && [ -d "/sys/fs/cgroup/$1$_p" ] && echo "/sys/fs/cgroup/$1${_p%/}"
}
net_cleanup() {
	for d in $NET_DIRS; do
		# Anything left in the net is killed before the net goes.
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		for i in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$d" 2>/dev/null && break
			sleep 0.1
		done
	done
}
trap 'net_cleanup; _cleanup' EXIT
for c in memory pids; do
	base=$(own_cg $c) || continue
	d=$base/mcp-test-net.$$
	mkdir "$d" || continue
	NET_DIRS="$NET_DIRS $d"
	case $c in
	memory) echo $((1536 * 1024 * 1024)) >"$d/memory.limit_in_bytes" ;;
	pids) echo 2048 >"$d/pids.max" ;;
	esac
done
if [ -z "$NET_DIRS" ]; then
	skip_strict "no cgroup v1 memory/pids hierarchy for the safety net"
	done_testing
	exit
fi
# net CMD...: run CMD inside the net (and under the outer timeout).
net() {
	sh -c 'for d in $0; do echo $$ >"$d/cgroup.procs" || exit 99; done
		exec timeout --preserve-status -s KILL 120 "$@"' "$NET_DIRS" "$@"
}

# A plain run: every controller applied, all ids dropped, cgroup removed.
mkspec id.json "[\"$MCP_TEST_BIN/privcheck\"]"
rm -f rec
run net "$MCP_EXEC" -q --records rec id.json
check "privcheck: exit 0 (root not regained)" test "$rc" -eq 0
check "privcheck: runs as 65534:65534" \
	grep -q '^uid=65534 euid=65534 gid=65534 regained=no$' "$T/out"
check "privcheck: no supplementary groups" grep -Eq '^Groups:\s*$' "$T/out"
check "privcheck: no capabilities at all" \
	sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" "$T/out" | grep -vq "0000000000000000" && exit 1; exit 0'
check "privcheck: no_new_privs set" grep -Eq '^NoNewPrivs:\s+1$' "$T/out"
rec_check '.[0].layers.cgroup == "applied" and
	.[0].layers.capabilities == "applied" and
	.[0].user == {"uid": 65534, "gid": 65534}' \
	"records: cgroup and capabilities applied, user 65534"
rec_check '.[0].limits.rlimits.nproc == null' \
	"records: RLIMIT_NPROC left alone under a pids cgroup"
rec_check '.[0].cgroup | (.memory | test("/mcp-exec\\.[0-9]+$")) and
	(.pids | test("/mcp-exec\\.[0-9]+$"))' "records: the run's cgroups"
for d in $(jq -r -s '.[0].cgroup | .[] | values' rec); do
	check "cgroup $d removed after the run" test ! -e "$d"
done

# --user and --group.
mkspec idu.json '["/usr/bin/id", "-u"]'
run net "$MCP_EXEC" -q --user 1234 --group 4321 idu.json
check "--user 1234: runs as uid 1234" grep -qx 1234 "$T/out"
mkspec idg.json '["/usr/bin/id", "-g"]'
run net "$MCP_EXEC" -q --user nobody idg.json
check "--user nobody: nobody's group" grep -qx "$(id -g nobody)" "$T/out"

# The limits inside the cgroup, read by the server itself.
mkspec cg.json '["/bin/sh", "-c", "cat /proc/self/cgroup"]' '
  .limits.memory_bytes = 100663296 | .limits.pids = 17 |
  .limits.cpu_millicores = 250 | .isolation.disable = ["namespaces"]'
rm -f rec
run net "$MCP_EXEC" -q --records rec cg.json
# in_run_cgroups WHO: the /proc/self/cgroup the server printed ($T/out)
# names each cgroup of the run that the start record (rec) lists.
in_run_cgroups() {
	for _c in memory pids cpu; do
		_d=$(jq -r -s --arg c "$_c" '.[0].cgroup[$c]' rec)
		check "$1: in the run's $_c cgroup" \
			grep -q ":$_c[^:]*:${_d#/sys/fs/cgroup/$_c}\$" "$T/out"
	done
	_d=$(jq -r -s '.[0].cgroup.unified' rec)
	if [ "$_d" != null ]; then
		check "$1: in the run's v2 cgroup" \
			grep -q "^0::${_d#$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)}\$" "$T/out"
	else
		skip "no cgroup v2 hierarchy to join here"
	fi
}
in_run_cgroups "server"
check "the start record says the cgroup layer was applied" \
	jq_true rec -s '.[0].layers.cgroup == "applied"'

# With the namespaces, the child joined before unsharing the cgroup
# namespace: the server sees its own cgroups as the root of each.
mkspec cgns.json '["/bin/sh", "-c", "cat /proc/self/cgroup"]'
run net "$MCP_EXEC" -q cgns.json
check "namespaced: memory cgroup is /" grep -q ':memory:/$' "$T/out"
check "namespaced: pids cgroup is /" grep -q ':pids:/$' "$T/out"
check "namespaced: cpu cgroup is /" grep -q ':cpu[^:]*:/$' "$T/out"
check "namespaced: no path outside the run" \
	sh -c '! grep -v ":/\$" "$1"' sh "$T/out"

# Where clone3 is refused (kernels before 5.3; container filters that
# answer ENOSYS), the parent moves the child into the v2 cgroup through
# cgroup.procs: the same cgroups, with and without the namespaces.
for how in cg cgns; do
	rm -f rec
	run net "$MCP_TEST_BIN/nosys" clone3 "$MCP_EXEC" -q --records rec "$how.json"
	check "without clone3 ($how): exit 0" test "$rc" -eq 0
	rec_check '.[0].layers.cgroup == "applied" and .[0].layers.seccomp == "applied"' \
		"without clone3 ($how): cgroup and seccomp applied"
	if [ "$how" = cgns ]; then
		check "without clone3, namespaced: every cgroup is /" \
			sh -c 'test -s "$1" && ! grep -v ":/\$" "$1"' sh "$T/out"
		continue
	fi
	in_run_cgroups "without clone3"
done

# Read the limits while the run lives: a server that waits for us.
mkspec hold.json '["/bin/sh", "-c", "echo up; read x"]' '
  .limits.memory_bytes = 100663296 | .limits.pids = 17 |
  .limits.cpu_millicores = 250'
rm -f rec
mkfifo fifo
net "$MCP_EXEC" -q --records rec hold.json <fifo >hold.out 2>&1 &
hpid=$!
exec 8>fifo
i=0
while [ $i -lt 200 ] && ! grep -q up hold.out 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
mem=$(jq -r -s '.[0].cgroup.memory' rec)
pids=$(jq -r -s '.[0].cgroup.pids' rec)
cpu=$(jq -r -s '.[0].cgroup.cpu' rec)
check "memory limit set" test "$(cat "$mem/memory.limit_in_bytes")" = 100663296
if [ -e "$mem/memory.memsw.limit_in_bytes" ]; then
	check "swap off (memsw = memory)" \
		test "$(cat "$mem/memory.memsw.limit_in_bytes")" = 100663296
else
	check "swap off (swappiness 0)" test "$(cat "$mem/memory.swappiness")" = 0
fi
check "pids limit set" test "$(cat "$pids/pids.max")" = 17
check "CPU quota 250m = 25 ms per 100 ms" \
	test "$(cat "$cpu/cpu.cfs_quota_us") $(cat "$cpu/cpu.cfs_period_us")" = "25000 100000"
# Every isolation layer on: the init and the server are in each cgroup.
for d in "$mem" "$pids" "$cpu"; do
	check "namespaced run: 2 processes in ${d#/sys/fs/cgroup/}" \
		test "$(wc -l <"$d/cgroup.procs")" -eq 2
done
echo >&8
exec 8>&-
wait "$hpid"
check "held run exits 0" test $? -eq 0

# The CPU quota for real: a burner for 1.5 s at 200m gets about 300 ms of
# CPU (1.5 s without the quota).
mkspec burn.json "[\"$MCP_TEST_BIN/cpuburn\"]" \
	'.limits.cpu_millicores = 200 | .limits.timeout_ms = 1500'
rm -f rec
run net "$MCP_EXEC" -q --records rec burn.json
check "CPU burner: exit 124" test "$rc" -eq 124
rec_check '.[1].cpu_ms.user + .[1].cpu_ms.system < 700' \
	"CPU burner: held to about 200m by the quota"

# Fork bomb: stopped by the pids limit, every process gone afterwards.
# A copy under a name of its own, so pgrep finds this test's bomb only.
bomb=fb$$
cp "$MCP_TEST_BIN/forkbomb" "$T/$bomb"
chmod 755 "$T/$bomb"
# The copy is the tree: a grant is data, and Landlock refuses exec there.
mkspec bomb.json "[\"$T/$bomb\", \"2\"]" ".limits.pids = 32 | .tree = \"$T\""
rm -f rec
run net "$MCP_EXEC" -q --records rec bomb.json
check "fork bomb: the server exits 0" test "$rc" -eq 0
check "fork bomb: forks were refused" grep -Eq '^forks=[0-9]+ failed=[1-9]' "$T/out"
check "fork bomb: no process of it left" \
	sh -c "! pgrep -x $bomb >/dev/null"
rec_check '.[1].outcome == "success"' "fork bomb: recorded"

# Memory balloon: OOM-killed inside its cgroup, reported as oom.
mkspec oom.json "[\"$MCP_TEST_BIN/balloon\", \"1024\"]" \
	'.limits.memory_bytes = 67108864'
rm -f rec
run net "$MCP_EXEC" -q --records rec oom.json
check "balloon: killed by SIGKILL (exit 137)" test "$rc" -eq 137
check "balloon: never reached 1 GiB" sh -c '! grep -q done "$T/out"'
rec_check '.[1] | .outcome == "oom" and .signal == 9 and .oom_kills >= 1 and
	.peak_memory_bytes <= 67108864 and .peak_memory_bytes > 33554432' \
	"balloon: outcome oom, peak within the limit"

# 100k descriptors: stopped at limits.fds.
mkspec fd.json "[\"$MCP_TEST_BIN/fdhog\", \"100000\"]" '.limits.fds = 64'
run net "$MCP_EXEC" -q fd.json
check "fd hog: stopped at 61 (64 minus stdio)" \
	grep -qx 'opened=61 stop=Too many open files' "$T/out"

# Escaping to the root cgroups is refused.
files=
for f in /sys/fs/cgroup/memory/cgroup.procs /sys/fs/cgroup/pids/cgroup.procs \
	/sys/fs/cgroup/unified/cgroup.procs /sys/fs/cgroup/cgroup.procs; do
	[ -e "$f" ] && files="$files \"$f\","
done
mkspec esc.json "[\"$MCP_TEST_BIN/cgescape\", ${files%,}]"
run net "$MCP_EXEC" -q esc.json
check "cgroup escape: every write refused" test "$rc" -eq 0
check "cgroup escape: nothing escaped" sh -c '! grep -q ESCAPED "$T/out"'

# Double-forked daemon with a cgroup: gone, and so is its cgroup.
mkspec dmn.json "[\"$MCP_TEST_BIN/daemonize\", \"$T/daemon.pid\"]" \
	'.isolation.disable = ["namespaces"]'
: >daemon.pid
chmod 666 daemon.pid
rm -f rec
run net "$MCP_EXEC" -q --records rec dmn.json
dpid=$(cat daemon.pid)
check "daemon (cgroup): started" test -n "$dpid"
check "daemon (cgroup): gone" test ! -e "/proc/${dpid:-0}"
for d in $(jq -r -s '.[0].cgroup | .[] | values' rec); do
	check "daemon (cgroup): $d removed" test ! -e "$d"
done

# The host is unaffected: the safety net never hit its limits.
for d in $NET_DIRS; do
	case $d in
	*/memory/*) check "safety net: never out of memory" \
		grep -qx 'oom_kill 0' "$d/memory.oom_control" ;;
	esac
done
done_testing
