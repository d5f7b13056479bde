# unit tests of mcp-policy modules: merge and clamping, every rule
check_PROGRAMS += tests/unit/check_policy
TESTS += tests/unit/check_policy
tests_unit_check_policy_SOURCES = tests/unit/check_policy.c tests/unit/unit.h \
	mcp-policy/policy.c mcp-policy/policy.h \
	mcp-policy/spec.c mcp-policy/spec.h \
	mcp-policy/explain.c
tests_unit_check_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/mcp-policy \
	$(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_check_policy_LDADD = common/libmcpcommon.a $(CHECK_LIBS) \
	$(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)
