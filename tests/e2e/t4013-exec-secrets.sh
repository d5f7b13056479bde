#!/bin/sh
# t4013: secrets as files (/run/secrets/NAME, 0400, the server's) and as
# variables, from the environment or --secrets-file; the file's mode and
# owner are checked; values never reach a record or a message.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/exec-lib.sh"

if ! exec_cmd "$MCP_EXEC" --probe --json 2>/dev/null |
	jq -e '.namespaces.mount | startswith("yes")' >/dev/null; then
	skip_strict "mount namespaces not available here"
	done_testing
	exit
fi

W=$T/w
mkdir -p "$W"
chmod 777 "$W"
show='ls -ln /run/secrets | awk "NR > 1 { print \$1, \$3, \$NF }"; cat /run/secrets/TOKEN; echo; echo "env=$API_KEY"'

secrets() {
	_who=$1 _uid=$2
	shift 2
	mkspec "sec-$_who.json" "[\"/bin/sh\", \"-c\", $(printf '%s' "$show" | jq -Rs .)]" \
		'.process.secrets = [{name: "TOKEN", as: "file"}, {name: "API_KEY", as: "env"}]'
	printf '# test secrets\nTOKEN=tok-%s-1b2\n\nAPI_KEY=key-%s-9f8\n' "$_who" "$_who" >"$W/sf.$_who"
	chmod 600 "$W/sf.$_who"
	[ "$_who" = root ] || chown "$_uid" "$W/sf.$_who" 2>/dev/null || :
	run "$@" "$MCP_EXEC" --secrets-file "$W/sf.$_who" --records "$W/rec.$_who" "sec-$_who.json"
	check "$_who: runs (exit $rc)" test "$rc" -eq 0
	check "$_who: /run/secrets/TOKEN holds the value" grep -qx "tok-$_who-1b2" "$T/out"
	check "$_who: mode 0400, owned by the server (uid $_uid)" \
		grep -qx -- "-r-------- $_uid TOKEN" "$T/out"
	check "$_who: the env secret is a variable" grep -qx "env=key-$_who-9f8" "$T/out"
	check "$_who: no value in the records or on stderr" \
		sh -c '! grep -q -e "tok-" -e "key-" "$1" "$T/err"' sh "$W/rec.$_who"
	# From the environment when no file is given.
	TOKEN="etok-$_who" API_KEY="ekey-$_who"
	export TOKEN API_KEY
	run "$@" "$MCP_EXEC" -q "sec-$_who.json"
	unset TOKEN API_KEY
	check "$_who: from the environment as well" \
		sh -c 'test "$rc" -eq 0 && grep -qx "etok-$1" "$T/out"' sh "$_who"
	chmod 640 "$W/sf.$_who"
	expect_fail 125 "secrets file .*/sf.$_who: mode 0640, must be 0600 or stricter" \
		"$_who: a secrets file readable by others is refused" \
		"$@" "$MCP_EXEC" -q --secrets-file "$W/sf.$_who" "sec-$_who.json"
	check "$_who: the refusal shows no value" sh -c '! grep -q -e "tok-" -e "key-" "$T/err" "$T/out"'
}
export rc

if is_root; then
	secrets root 65534 exec_cmd
	# Owned by someone else: refused.
	printf 'TOKEN=x\nAPI_KEY=y\n' >"$W/other"
	chmod 600 "$W/other"
	chown 12345 "$W/other"
	expect_fail 125 'secrets file .*/other: owned by uid 12345, not by the caller \(uid 0\)' \
		"a secrets file of another user is refused" \
		exec_cmd "$MCP_EXEC" -q --secrets-file "$W/other" sec-root.json
fi
if setup_as_user; then
	secrets user "$TU" as_user
fi

mkspec miss.json '["/bin/true"]' '.process.secrets = [{name: "NOPE_NOT_SET", as: "file"}]'
printf 'OTHER=1\n' >"$W/sf.miss"
chmod 600 "$W/sf.miss"
expect_fail 125 'secret NOPE_NOT_SET: not set in the secrets file' \
	"a secret missing from the file is refused" \
	exec_cmd "$MCP_EXEC" -q --secrets-file "$W/sf.miss" miss.json
printf 'this line has no equals sign\n' >"$W/sf.bad"
chmod 600 "$W/sf.bad"
expect_fail 125 'secrets file .*/sf.bad: line 1: not KEY=VALUE' \
	"a malformed secrets file is refused, by line" \
	exec_cmd "$MCP_EXEC" -q --secrets-file "$W/sf.bad" miss.json
mkspec nons.json '["/bin/true"]' \
	'.process.secrets = [{name: "TOKEN", as: "file"}] | .isolation.disable = ["namespaces"]'
TOKEN=v
export TOKEN
expect_fail 125 'delivery as a file needs the private root' \
	"file secrets without the private root are refused" \
	exec_cmd "$MCP_EXEC" -q nons.json
unset TOKEN
mkspec badas.json '["/bin/true"]' '.process.secrets = [{name: "TOKEN", as: "pipe"}]'
expect_fail 2 'process.secrets\[0\].as: must be "env" or "file"' \
	"secrets: as is env or file" exec_cmd "$MCP_EXEC" -q badas.json
done_testing
