# mcp-exec links only what it needs: libc, jansson and libseccomp;
# never libcurl, libarchive or libyaml.
bin_PROGRAMS += mcp-exec/mcp-exec
mcp_exec_mcp_exec_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(SECCOMP_CFLAGS)
mcp_exec_mcp_exec_SOURCES = \
	mcp-exec/mcp-exec.c \
	mcp-exec/spec.c mcp-exec/spec.h \
	mcp-exec/layers.c mcp-exec/layers.h \
	mcp-exec/limits.c mcp-exec/limits.h \
	mcp-exec/cgroup.c mcp-exec/cgroup.h \
	mcp-exec/identity.c mcp-exec/identity.h \
	mcp-exec/confine.c mcp-exec/confine.h \
	mcp-exec/supervise.c mcp-exec/supervise.h \
	mcp-exec/ns.c mcp-exec/ns.h \
	mcp-exec/seccomp.c mcp-exec/seccomp.h \
	mcp-exec/landlock.c mcp-exec/landlock.h \
	mcp-exec/records.c mcp-exec/records.h \
	mcp-exec/relay.c mcp-exec/relay.h \
	mcp-exec/probe.c mcp-exec/probe.h
# MCP_EXEC_LIBS: jansson and libseccomp, static where they link (configure.ac).
mcp_exec_mcp_exec_LDADD = common/libmcpcommon.a $(MCP_EXEC_LIBS)
