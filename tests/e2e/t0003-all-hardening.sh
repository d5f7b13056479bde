#!/bin/sh
# t0003: the hardening configure promised is in the binaries: PIE, full
# RELRO (GNU_RELRO and BIND_NOW), a non-executable stack, the stack
# protector and, when optimising without sanitizers, _FORTIFY_SOURCE
# (checked through the __*_chk functions the binaries import).
. "$top_srcdir/tests/e2e/lib.sh"

if [ "${MCP_HARDENING:-yes}" != yes ]; then
	skip "configured with --disable-hardening"
	done_testing
	exit 0
fi
if ! command -v readelf >/dev/null 2>&1 || ! command -v nm >/dev/null 2>&1; then
	skip_strict "readelf/nm (binutils) not installed"
	done_testing
	exit 0
fi

for tool in fetch verify policy exec audit pack; do
	eval "bin=\$MCP_$(echo "$tool" | tr a-z A-Z)"
	readelf -hdlW "$bin" >"$T/elf" 2>&1 || { not_ok "readelf mcp-$tool"; continue; }

	check "mcp-$tool is a position-independent executable" \
		sh -c "grep -q 'Type: *DYN' '$T/elf' && grep -Eq 'FLAGS_1.*PIE' '$T/elf'"
	check "mcp-$tool has full RELRO (GNU_RELRO and BIND_NOW)" \
		sh -c "grep -q 'GNU_RELRO' '$T/elf' && grep -Eq '\\(FLAGS\\).*BIND_NOW|FLAGS_1.*NOW' '$T/elf'"
	check "mcp-$tool has a non-executable stack" \
		sh -c "grep 'GNU_STACK' '$T/elf' | grep -qv 'RWE'"

	nm -D "$bin" >"$T/syms" 2>/dev/null
	check "mcp-$tool is built with the stack protector" \
		grep -q '__stack_chk_fail' "$T/syms"
	if [ "${MCP_SANITIZERS:-no}" = yes ]; then
		skip "mcp-$tool: _FORTIFY_SOURCE is off in a sanitizer build"
	else
		check "mcp-$tool is built with _FORTIFY_SOURCE (imports __*_chk)" \
			grep -Eq ' U __[a-z0-9_]+_chk(@|$)' "$T/syms"
	fi
done

done_testing
