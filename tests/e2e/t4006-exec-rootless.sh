#!/bin/sh
# mcp-exec started by an unprivileged user: it stays that user, records
# the cgroup as skipped (no delegation), and the rlimits and the sweep
# still stop hostile servers.  As root, the tests run as a dedicated
# unprivileged user (created if absent) through setpriv, inside a safety
# net cgroup; as a normal user, as that user, under a timeout.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

TEST_USER=mcp-exec-test
NET_DIRS=
net_cleanup() {
	for d in $NET_DIRS; do
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

if is_root; then
	if ! id "$TEST_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin \
			--user-group "$TEST_USER" >/dev/null 2>&1 ||
			{ skip_strict "cannot create user $TEST_USER"; done_testing; exit; }
	fi
	TU=$(id -u "$TEST_USER")
	TG=$(id -g "$TEST_USER")
	for c in memory pids; do
		p=$(awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
		d=/sys/fs/cgroup/$c${p%/}/mcp-test-net.$$
		[ -n "$p" ] && mkdir "$d" 2>/dev/null || continue
		NET_DIRS="$NET_DIRS $d"
		case $c in
		memory) echo $((1024 * 1024 * 1024)) >"$d/memory.limit_in_bytes" ;;
		pids) echo 1024 >"$d/pids.max" ;;
		esac
	done
	as_user() {
		_net=$NET_DIRS
		sh -c 'for d in $1; do echo $$ >"$d/cgroup.procs" || exit 99; done
			u=$2 g=$3; shift 3
			exec timeout --preserve-status -s KILL 120 setpriv --reuid "$u" --regid "$g" --clear-groups --inh-caps=-all --bounding-set=-all -- "$@"' \
			sh "$_net" "$TU" "$TG" "$@"
	}
	if ! as_user test -x "$MCP_EXEC"; then
		skip "user $TEST_USER cannot reach $MCP_EXEC (build directory not readable)"
		done_testing
		exit
	fi
else
	TU=$(id -u)
	as_user() {
		timeout --preserve-status -s KILL 120 "$@"
	}
fi
W=$T/w
mkdir "$W"
chmod 777 "$W"

# Who the server is, and what it holds.
mkspec id.json "[\"$MCP_TEST_BIN/privcheck\"]"
run as_user "$MCP_EXEC" -q --records "$W/rec" id.json
check "privcheck: exit 0" test "$rc" -eq 0
check "privcheck: still uid $TU" grep -q "^uid=$TU euid=$TU .* regained=no\$" "$T/out"
check "privcheck: no effective or permitted capabilities" \
	sh -c 'grep -E "^Cap(Prm|Eff|Amb):" "$T/out" | grep -vq "0000000000000000" && exit 1; exit 0'
check "privcheck: no_new_privs" grep -Eq '^NoNewPrivs:\s+1$' "$T/out"
cp "$W/rec" "$T/rec"
rec_check '.[0].layers.identity == "applied" and
	.[0].user.uid == '"$TU" "records: identity applied, the caller's uid"
rec_check '.[0].layers.cgroup | test("^(skipped|degraded): ")' \
	"records: cgroup skipped without delegation"
rec_check '.[0].layers.rlimits == "applied" and
	(.[0].limits.rlimits.nproc | type) == "number"' \
	"records: rlimits applied instead, RLIMIT_NPROC included"

# Fork bomb: RLIMIT_NPROC stops it, the sweep removes it.
# A copy under a name of its own, so pgrep finds this test's bomb only.
bomb=fb$$
cp "$MCP_TEST_BIN/forkbomb" "$T/$bomb"
chmod 755 "$T/$bomb"
# The copy is the tree: a grant is data, and Landlock refuses exec there.
mkspec bomb.json "[\"$T/$bomb\", \"2\"]" ".limits.pids = 24 | .tree = \"$T\""
run as_user "$MCP_EXEC" -q bomb.json
check "fork bomb: exit 0" test "$rc" -eq 0
check "fork bomb: forks refused" grep -Eq '^forks=[0-9]+ failed=[1-9]' "$T/out"
check "fork bomb: no process of it left" \
	sh -c "! pgrep -x $bomb >/dev/null"

# Balloon: RLIMIT_DATA (2 x memory) makes malloc fail.
mkspec bal.json "[\"$MCP_TEST_BIN/balloon\", \"1024\"]" \
	'.limits.memory_bytes = 67108864'
rm -f "$W/rec"
run as_user "$MCP_EXEC" -q --records "$W/rec" bal.json
check "balloon: malloc refused, exit 1" test "$rc" -eq 1
check "balloon: stopped below 2 x the limit" \
	grep -Eq '^balloon: malloc failed at (1[0-2][0-9]|[0-9]{1,2}) MiB$' "$T/out"
cp "$W/rec" "$T/rec"
rec_check '.[1].outcome == "error"' "balloon: recorded as error"

# Double-forked daemon: the subreaper sweep kills it.
: >"$W/daemon.pid"
chmod 666 "$W/daemon.pid"
mkspec dmn.json "[\"$MCP_TEST_BIN/daemonize\", \"$W/daemon.pid\"]" \
	'.isolation.disable = ["namespaces"]'
run as_user "$MCP_EXEC" -q dmn.json
dpid=$(cat "$W/daemon.pid")
check "daemon: started" test -n "$dpid"
check "daemon: gone without a cgroup" test ! -e "/proc/${dpid:-0}"

# TERM-ignorer past its timeout: killed after the grace.
mkspec ign.json "[\"$MCP_TEST_BIN/termignore\"]" '.limits.timeout_ms = 300'
run as_user "$MCP_EXEC" -q --grace 1 ign.json
check "TERM-ignorer: exit 124" test "$rc" -eq 124

# Escaping to the root cgroups is refused.
files=
for f in /sys/fs/cgroup/memory/cgroup.procs /sys/fs/cgroup/pids/cgroup.procs \
	/sys/fs/cgroup/unified/cgroup.procs /sys/fs/cgroup/cgroup.procs; do
	[ -e "$f" ] && files="$files \"$f\","
done
if [ -n "$files" ]; then
	mkspec esc.json "[\"$MCP_TEST_BIN/cgescape\", ${files%,}]"
	run as_user "$MCP_EXEC" -q esc.json
	check "cgroup escape: every write refused" test "$rc" -eq 0
	check "cgroup escape: nothing escaped" \
		sh -c '! grep -q ESCAPED "$T/out"'
fi
done_testing
