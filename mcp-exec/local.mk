# mcp-exec links only what it needs: libc, jansson (and libseccomp later);
# never libcurl, libarchive or libyaml.
bin_PROGRAMS += mcp-exec/mcp-exec
mcp_exec_mcp_exec_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
mcp_exec_mcp_exec_SOURCES = \
	mcp-exec/mcp-exec.c \
	mcp-exec/spec.c mcp-exec/spec.h \
	mcp-exec/layers.c mcp-exec/layers.h \
	mcp-exec/limits.c mcp-exec/limits.h \
	mcp-exec/cgroup.c mcp-exec/cgroup.h \
	mcp-exec/identity.c mcp-exec/identity.h \
	mcp-exec/confine.c mcp-exec/confine.h \
	mcp-exec/supervise.c mcp-exec/supervise.h \
	mcp-exec/records.c mcp-exec/records.h \
	mcp-exec/probe.c mcp-exec/probe.h
# CRYPTO_LIBS only because common/xalloc.o holds mcp_free_secret, which
# calls OPENSSL_cleanse; mcp-exec itself uses no libcrypto function.  Drop
# it when mcp_free_secret moves to an object of its own.
mcp_exec_mcp_exec_LDADD = common/libmcpcommon.a $(JANSSON_LIBS) $(CRYPTO_LIBS)
