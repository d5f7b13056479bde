bin_PROGRAMS += mcp-policy/mcp-policy
mcp_policy_mcp_policy_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS)
mcp_policy_mcp_policy_SOURCES = \
	mcp-policy/mcp-policy.c \
	mcp-policy/policy.c mcp-policy/policy.h \
	mcp-policy/spec.c mcp-policy/spec.h \
	mcp-policy/explain.c \
	mcp-policy/oci.c mcp-policy/oci.h
# MCP_STAGE_LIBS: jansson, libyaml, libcrypto, static where they link
# (configure.ac).
mcp_policy_mcp_policy_LDADD = common/libmcpcommon.a $(MCP_STAGE_LIBS)
