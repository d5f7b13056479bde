bin_PROGRAMS += mcp-audit/mcp-audit
mcp_audit_mcp_audit_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
mcp_audit_mcp_audit_SOURCES = \
	mcp-audit/mcp-audit.c mcp-audit/audit.h \
	mcp-audit/append.c \
	mcp-audit/chain.c \
	mcp-audit/logfile.c \
	mcp-audit/query.c \
	mcp-audit/redact.c \
	mcp-audit/rotate.c \
	mcp-audit/verify.c
# MCP_STAGE_LIBS: jansson, libyaml, libcrypto, static where they link
# (configure.ac).
mcp_audit_mcp_audit_LDADD = common/libmcpcommon.a $(MCP_STAGE_LIBS)

# A differential test of verify's fast path against the reference
# checker (tests/e2e/t5010-audit-canonical.sh); built by make check only.
check_PROGRAMS += mcp-audit/chain-check
mcp_audit_chain_check_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
mcp_audit_chain_check_SOURCES = mcp-audit/chain-check.c mcp-audit/chain.c \
	mcp-audit/audit.h
mcp_audit_chain_check_LDADD = common/libmcpcommon.a $(JANSSON_LIBS) $(CRYPTO_LIBS)
