#!/bin/sh
# t0001: every tool's --help and its man page list the same long options
# (git's t0450), and every page is clean under `mandoc -T lint`.
. "$top_srcdir/tests/e2e/lib.sh"

man=$top_srcdir/man

# Long options of --help: "--name" tokens at the start of a help line.
help_opts() {
	"$1" --help 2>/dev/null |
		grep -oE '^ +(-[a-zA-Z], )?--[a-z0-9][a-z0-9-]*' |
		grep -oE -- '--[a-z0-9-]+' | sort -u
}

# Long options documented in the OPTIONS section as ".It Fl -name".
man_opts() {
	sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$1" | grep '^\.It' |
		grep -oE 'Fl \\?-[a-z0-9][a-z0-9-]*' |
		sed -E 's/^Fl \\?-/--/' | sort -u
}

for tool in fetch verify policy exec audit run pack; do
	eval "bin=\$MCP_$(echo "$tool" | tr a-z A-Z)"
	page=$man/mcp-$tool.1
	if [ ! -x "$bin" ] || [ ! -f "$page" ]; then
		not_ok "mcp-$tool: binary or man page missing"
		continue
	fi
	help_opts "$bin" >"$T/help.$tool"
	man_opts "$page" >"$T/man.$tool"
	if [ ! -s "$T/help.$tool" ]; then
		not_ok "mcp-$tool --help lists options"
		continue
	fi
	missing=$(comm -23 "$T/help.$tool" "$T/man.$tool" | tr '\n' ' ')
	extra=$(comm -13 "$T/help.$tool" "$T/man.$tool" | tr '\n' ' ')
	check "mcp-$tool(1) documents every --help option${missing:+ (missing: $missing)}" \
		test -z "$missing"
	check "mcp-$tool --help shows every option of mcp-$tool(1)${extra:+ (not in --help: $extra)}" \
		test -z "$extra"
done

if [ -z "${MANDOC:-}" ] || [ "$MANDOC" = no ]; then
	skip_strict "mandoc not installed: man pages not linted"
else
	for page in "$man"/*.[157]; do
		"$MANDOC" -T lint -W warning "$page" >"$T/lint" 2>&1
		if [ -s "$T/lint" ]; then
			not_ok "mandoc -T lint $(basename "$page")"
			sed 's/^/#   /' "$T/lint"
		else
			ok "mandoc -T lint $(basename "$page")"
		fi
	done
fi

done_testing
