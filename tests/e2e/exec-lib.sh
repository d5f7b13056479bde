# exec-lib.sh: helpers for the mcp-exec tests (sourced after lib.sh).

: "${MCP_EXEC:?}" "${MCP_TEST_BIN:?}"
# The checks below run in sh -c and read $T.
export T

# mkspec FILE ARGV-JSON [JQ-FILTER]: a valid spec running ARGV in $T, with
# small limits, edited by JQ-FILTER.  The test programs are the "tree"
# (read-only in a private root), $T is granted read-write, and the server
# may start programs.
mkspec() {
	_f=$1 _argv=$2
	jq -n --argjson argv "$_argv" --arg cwd "$T" --arg bin "$MCP_TEST_BIN" '
	  {kind: "mcp.spec/v1", ref: "test/server@1.0.0",
	   package: "test/server", version: "1.0.0",
	   manifest_digest: "sha256:\("0" * 64)",
	   bundle_digest: "sha256:\("1" * 64)",
	   tree: $bin,
	   filesystem: [{path: $cwd, access: "rw"}],
	   network: {mode: "none", allow: []},
	   subprocess: true,
	   process: {argv: $argv, cwd: $cwd,
	             env: {PATH: "/usr/bin:/bin", LANG: "C.UTF-8"},
	             umask: "0077"},
	   limits: {cpu_millicores: 1000, memory_bytes: 268435456, pids: 64,
	            fds: 256, timeout_ms: 30000}}' |
	jq -c "${3:-.}" >"$_f"
}

# An outer bound for every mcp-exec run: a confinement bug must fail a
# test, not hang it.  KILL, and --preserve-status, so that it never looks
# like mcp-exec's own 124.
OUTER_TIMEOUT=${OUTER_TIMEOUT:-120}
exec_cmd() {
	timeout --preserve-status -s KILL "$OUTER_TIMEOUT" "$@"
}

# rec_check FILTER DESC: jq FILTER holds on the records in $T/rec, read as
# one array ("start" is .[0], "end" is .[1]).
rec_check() {
	if jq -e -s "$1" "$T/rec" >/dev/null 2>&1; then
		ok "$2"
	else
		not_ok "$2 (jq -s: $1)"
		sed 's/^/#   /' "$T/rec" 2>/dev/null | head -c 3000
		show_output
	fi
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# Is PID alive (and not a zombie)?
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# setup_as_user: define as_user CMD... to run CMD unprivileged: as root,
# as the user mcp-exec-test (created if absent) through setpriv, inside a
# safety-net cgroup with its own memory and pids limits; as a normal user,
# as that user.  Both under the outer timeout.  Sets TU to the uid, or
# returns 1 (after a skip) when no such user can run $MCP_EXEC.  The exit
# trap it sets runs $CLEANUP_HOOK (a command) first.
TEST_USER=mcp-exec-test
NET_DIRS=
net_cleanup() {
	for _d in $NET_DIRS; do
		for _p in $(cat "$_d/cgroup.procs" 2>/dev/null); do
			kill -9 "$_p" 2>/dev/null
		done
		for _i in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$_d" 2>/dev/null && break
			sleep 0.1
		done
	done
}
# safety_net_setup: as root, make the safety-net cgroups (memory 1 GiB,
# pids 1024, below this test's own cgroups: cgroup v1) in $NET_DIRS, removed
# by the exit trap it sets (which runs $CLEANUP_HOOK first).  in_safety_net
# CMD... runs CMD in them, under the outer timeout; whatever CMD creates
# below its own cgroup (an OCI runtime's container) is held by them too.
safety_net_setup() {
	trap '${CLEANUP_HOOK:-:}; net_cleanup; _cleanup' EXIT
	for _c in memory pids; do
		_p=$(awk -F: -v c="$_c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
		_d=/sys/fs/cgroup/$_c${_p%/}/mcp-test-net.$$
		[ -n "$_p" ] && mkdir "$_d" 2>/dev/null || continue
		NET_DIRS="$NET_DIRS $_d"
		case $_c in
		memory) echo $((1024 * 1024 * 1024)) >"$_d/memory.limit_in_bytes" ;;
		pids) echo 1024 >"$_d/pids.max" ;;
		esac
	done
}
in_safety_net() {
	sh -c 'for d in $1; do echo $$ >"$d/cgroup.procs" || exit 99; done
		t=$2; shift 2
		exec timeout --preserve-status -s KILL "$t" "$@"' \
		sh "$NET_DIRS" "$OUTER_TIMEOUT" "$@"
}
setup_as_user() {
	if ! is_root; then
		TU=$(id -u)
		as_user() {
			exec_cmd "$@"
		}
		return 0
	fi
	if ! id "$TEST_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin \
			--user-group "$TEST_USER" >/dev/null 2>&1 ||
			{ skip_strict "cannot create user $TEST_USER"; return 1; }
	fi
	TU=$(id -u "$TEST_USER")
	TG=$(id -g "$TEST_USER")
	safety_net_setup
	as_user() {
		sh -c 'for d in $1; do echo $$ >"$d/cgroup.procs" || exit 99; done
			u=$2 g=$3; shift 3
			exec timeout --preserve-status -s KILL 120 setpriv --reuid "$u" --regid "$g" --clear-groups --inh-caps=-all --bounding-set=-all -- "$@"' \
			sh "$NET_DIRS" "$TU" "$TG" "$@"
	}
	if ! as_user test -x "$MCP_EXEC"; then
		skip "user $TEST_USER cannot reach $MCP_EXEC (build directory not readable)"
		return 1
	fi
	return 0
}
