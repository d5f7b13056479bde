#!/bin/sh
# t5009: where the log is when nobody says: /var/log/mcp/audit.log for
# root (checked on a tmpfs over /var/log in a private mount namespace, so
# the host's /var/log is never touched), $XDG_STATE_HOME/mcp/audit.log for
# everyone else, directories created 0700.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/audit-lib.sh"

recs 2 >in.jsonl
chmod 644 in.jsonl

# A non-root user: ourselves, or nobody when we are root.
if [ "$(id -u)" -ne 0 ]; then
	as_user() { "$@"; }
	xdg=$T/xdg
	mkdir "$xdg"
elif command -v setpriv >/dev/null 2>&1; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	xdg=$T/xdg
	mkdir "$xdg" && chown 65534:65534 "$xdg"
else
	as_user=
fi
if [ -n "${xdg:-}" ]; then
	XDG_STATE_HOME=$xdg expect_ok "non-root: append with no --log" as_user "$A" append "$T/in.jsonl"
	check "non-root: the log is \$XDG_STATE_HOME/mcp/audit.log" test "$(wc -l <"$xdg/mcp/audit.log")" -eq 2
	check "non-root: \$XDG_STATE_HOME/mcp is 0700" test "$(stat -c %a "$xdg/mcp")" = 700
	check "non-root: the log is 0600 and the user's" \
		test "$(stat -c '%a %u' "$xdg/mcp/audit.log")" = "600 $(as_user id -u)"
	XDG_STATE_HOME=$xdg expect_ok "non-root: verify with no --log" as_user "$A" verify
	XDG_STATE_HOME= HOME=$xdg expect_ok "non-root: without XDG_STATE_HOME, ~/.local/state" \
		as_user "$A" append "$T/in.jsonl"
	check "non-root: ~/.local/state/mcp/audit.log" test "$(wc -l <"$xdg/.local/state/mcp/audit.log")" -eq 2
	XDG_STATE_HOME=relative/dir HOME=$xdg expect_ok "non-root: a relative XDG_STATE_HOME is ignored" \
		as_user "$A" append "$T/in.jsonl"
	check "non-root: ... and ~/.local/state used" test "$(wc -l <"$xdg/.local/state/mcp/audit.log")" -eq 4
	XDG_STATE_HOME= HOME= expect_fail 1 'neither XDG_STATE_HOME nor HOME is set' \
		"non-root: no XDG_STATE_HOME and no HOME" as_user "$A" append "$T/in.jsonl"
else
	skip "non-root default path: no way to drop root here (setpriv)"
fi

if [ "$(id -u)" -ne 0 ]; then
	skip "root default path: not root"
elif ! unshare -m true 2>/dev/null; then
	skip_strict "root default path: unshare -m is not available here"
else
	timeout 60 unshare -m sh -c '
		A=$1 T=$2
		mount --make-rprivate / 2>/dev/null
		mount -t tmpfs -o mode=0755 tmpfs /var/log || exit 3
		"$A" append "$T/in.jsonl" >"$T/root.out" 2>"$T/root.err"; echo $? >"$T/root.rc"
		stat -c %a /var/log/mcp >"$T/root.dirmode"
		stat -c %a /var/log/mcp/audit.log >"$T/root.mode"
		cp /var/log/mcp/audit.log "$T/root.log"
		"$A" verify >/dev/null 2>&1; echo $? >"$T/root.vrc"
	' sh "$A" "$T"
	if [ $? -eq 3 ]; then
		skip_strict "root default path: cannot mount a tmpfs over /var/log"
	else
		check "root: append with no --log exit 0" test "$(cat root.rc)" -eq 0
		check "root: the log is /var/log/mcp/audit.log" test "$(wc -l <root.log)" -eq 2
		check "root: /var/log/mcp created 0700" test "$(cat root.dirmode)" = 700
		check "root: the log is 0600" test "$(cat root.mode)" = 600
		check "root: verify with no --log finds it" test "$(cat root.vrc)" -eq 0
	fi
fi

done_testing
