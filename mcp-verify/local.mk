bin_PROGRAMS += mcp-verify/mcp-verify
mcp_verify_mcp_verify_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS)
mcp_verify_mcp_verify_SOURCES = \
	mcp-verify/mcp-verify.c \
	mcp-verify/manifest.c mcp-verify/manifest.h \
	mcp-verify/extract.c mcp-verify/extract.h \
	mcp-verify/archive-lazy.c mcp-verify/archive-lazy.h
# MCP_STAGE_LIBS: jansson, libyaml, libcrypto, static where they link
# (configure.ac).
mcp_verify_mcp_verify_LDADD = common/libmcpcommon.a $(MCP_STAGE_LIBS)
