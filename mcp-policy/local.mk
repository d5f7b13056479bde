bin_PROGRAMS += mcp-policy/mcp-policy
mcp_policy_mcp_policy_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS)
mcp_policy_mcp_policy_SOURCES = \
	mcp-policy/mcp-policy.c \
	mcp-policy/policy.c mcp-policy/policy.h \
	mcp-policy/spec.c mcp-policy/spec.h \
	mcp-policy/explain.c \
	mcp-policy/oci.c mcp-policy/oci.h
mcp_policy_mcp_policy_LDADD = common/libmcpcommon.a $(JANSSON_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS)
