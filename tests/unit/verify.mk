# unit tests of mcp-verify modules: the manifest validator, every rule
check_PROGRAMS += tests/unit/check_manifest
TESTS += tests/unit/check_manifest
tests_unit_check_manifest_SOURCES = tests/unit/check_manifest.c tests/unit/unit.h \
	mcp-verify/manifest.c mcp-verify/manifest.h
tests_unit_check_manifest_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/mcp-verify \
	$(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_manifest_LDADD = common/libmcpcommon.a $(CHECK_LIBS) \
	$(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)
