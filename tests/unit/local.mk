# Unit tests: one Check suite per common/ module, TAP output (CK_TAP via
# srunner_set_tap), so every case is a counted result.

check_PROGRAMS += tests/unit/check_err
TESTS += tests/unit/check_err
tests_unit_check_err_SOURCES = tests/unit/check_err.c tests/unit/unit.h
tests_unit_check_err_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_err_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_ref
TESTS += tests/unit/check_ref
tests_unit_check_ref_SOURCES = tests/unit/check_ref.c tests/unit/unit.h
tests_unit_check_ref_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_ref_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_digest
TESTS += tests/unit/check_digest
tests_unit_check_digest_SOURCES = tests/unit/check_digest.c tests/unit/unit.h
tests_unit_check_digest_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_digest_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

# The same suite against common/digest.c built on EVP, as it is for a
# libcrypto without the SHA block functions (configure.ac): its own copy of
# digest.o comes first, so the library's is not linked.
if SHA_BLOCK
check_PROGRAMS += tests/unit/check_digest_evp
TESTS += tests/unit/check_digest_evp
tests_unit_check_digest_evp_SOURCES = tests/unit/check_digest.c tests/unit/unit.h \
	common/digest.c
tests_unit_check_digest_evp_CPPFLAGS = $(tests_unit_check_digest_CPPFLAGS) -DMCP_DIGEST_EVP=1
tests_unit_check_digest_evp_LDADD = $(tests_unit_check_digest_LDADD)
endif

check_PROGRAMS += tests/unit/check_doc
TESTS += tests/unit/check_doc
tests_unit_check_doc_SOURCES = tests/unit/check_doc.c tests/unit/unit.h
tests_unit_check_doc_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_doc_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_yaml
TESTS += tests/unit/check_yaml
tests_unit_check_yaml_SOURCES = tests/unit/check_yaml.c tests/unit/unit.h
tests_unit_check_yaml_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_yaml_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_config
TESTS += tests/unit/check_config
tests_unit_check_config_SOURCES = tests/unit/check_config.c tests/unit/unit.h
tests_unit_check_config_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_config_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_seal
TESTS += tests/unit/check_seal
tests_unit_check_seal_SOURCES = tests/unit/check_seal.c tests/unit/unit.h
tests_unit_check_seal_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_seal_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_paths
TESTS += tests/unit/check_paths
tests_unit_check_paths_SOURCES = tests/unit/check_paths.c tests/unit/unit.h
tests_unit_check_paths_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_paths_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_io
TESTS += tests/unit/check_io
tests_unit_check_io_SOURCES = tests/unit/check_io.c tests/unit/unit.h
tests_unit_check_io_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS)
tests_unit_check_io_LDADD = common/libmcpcommon.a $(CHECK_LIBS)

check_PROGRAMS += tests/unit/check_units
TESTS += tests/unit/check_units
tests_unit_check_units_SOURCES = tests/unit/check_units.c tests/unit/unit.h
tests_unit_check_units_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_units_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_opts
TESTS += tests/unit/check_opts
tests_unit_check_opts_SOURCES = tests/unit/check_opts.c tests/unit/unit.h
tests_unit_check_opts_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_opts_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_sandbox
TESTS += tests/unit/check_sandbox
tests_unit_check_sandbox_SOURCES = tests/unit/check_sandbox.c tests/unit/unit.h
tests_unit_check_sandbox_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_sandbox_LDADD = common/libmcpcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)
