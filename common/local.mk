noinst_LIBRARIES += common/libmcpcommon.a
common_libmcpcommon_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) \
	$(CRYPTO_CFLAGS) $(YAML_CFLAGS)
common_libmcpcommon_a_SOURCES = \
	common/err.c common/err.h \
	common/xalloc.c common/xalloc.h \
	common/opts.c common/opts.h \
	common/io.c common/io.h \
	common/doc.c common/doc.h \
	common/ref.c common/ref.h \
	common/digest.c common/digest.h \
	common/seal.c common/seal.h \
	common/yaml.c common/yaml.h common/libyaml.h \
	common/config.c common/config.h \
	common/paths.c common/paths.h \
	common/units.c common/units.h \
	common/sandbox.c common/sandbox.h
