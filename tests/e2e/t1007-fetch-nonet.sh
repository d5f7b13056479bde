#!/bin/sh
# t1007: a directory registry needs no network: mcp-fetch works in a
# network namespace without interfaces, and opens no socket at all.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0

if command -v unshare >/dev/null 2>&1 && unshare -rn true 2>/dev/null; then
	expect_ok "fetch inside unshare -rn" unshare -rn "$MCP_FETCH" \
		--registry "$REG" --cache-dir "$CACHE" acme/hello@1.0.0
	jq_check '.version == "1.0.0" and .cache_hit == false' "fetched without a network"
	expect_ok "offline fetch inside unshare -rn" unshare -rn "$MCP_FETCH" \
		--registry "$REG" --cache-dir "$CACHE" --offline acme/hello@1.0.0
else
	skip "unshare -rn not permitted here (no unprivileged user namespaces)"
	skip "unshare -rn not permitted here"
	skip "unshare -rn not permitted here"
fi

if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	rm -rf "$CACHE"
	# LeakSanitizer cannot run under ptrace; the leak check runs in
	# every other test.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=socket,connect -o "$T/trace" \
		"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" acme/hello@1.0.0 \
		>"$T/out" 2>"$T/err"
	rc=$?
	check "fetch under strace exits 0" test "$rc" -eq 0
	if grep -Eq 'socket\(|connect\(' "$T/trace"; then
		not_ok "no socket opened"
		sed 's/^/# /' "$T/trace" | head -20
	else
		ok "no socket opened"
	fi
else
	skip "strace not available or not permitted"
	skip "strace not available or not permitted"
fi

done_testing
