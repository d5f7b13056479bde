# mcp-pack compiles mcp-verify's manifest validator into itself (as the
# unit tests and the fuzzers do): a manifest mcp-pack writes is checked by
# the very code that will verify it.
bin_PROGRAMS += mcp-pack/mcp-pack
mcp_pack_mcp_pack_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/mcp-verify \
	$(JANSSON_CFLAGS) $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS)
mcp_pack_mcp_pack_SOURCES = \
	mcp-pack/mcp-pack.c \
	mcp-pack/tree.c mcp-pack/tree.h \
	mcp-pack/publish.c mcp-pack/publish.h \
	mcp-verify/manifest.c mcp-verify/manifest.h
mcp_pack_mcp_pack_LDADD = common/libmcpcommon.a $(JANSSON_LIBS) $(ARCHIVE_LIBS) $(CRYPTO_LIBS) $(YAML_LIBS)
