bin_PROGRAMS += mcp-fetch/mcp-fetch
mcp_fetch_mcp_fetch_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS)
mcp_fetch_mcp_fetch_SOURCES = \
	mcp-fetch/mcp-fetch.c \
	mcp-fetch/registry.c mcp-fetch/registry.h \
	mcp-fetch/registry-dir.c \
	mcp-fetch/registry-http.c mcp-fetch/curl-lazy.c mcp-fetch/curl-lazy.h \
	mcp-fetch/cache.c mcp-fetch/cache.h \
	mcp-fetch/manage.c mcp-fetch/manage.h \
	mcp-fetch/pins.c mcp-fetch/pins.h
# MCP_STAGE_LIBS: jansson, libyaml, libcrypto, static where they link
# (configure.ac).
mcp_fetch_mcp_fetch_LDADD = common/libmcpcommon.a $(MCP_STAGE_LIBS)
