# The example servers and the example registry built from them.
#
# examples/registry/ is generated: mkregistry.sh packs each server into a
# reproducible bundle, writes its manifest, and stores both under their
# digests.  It is rebuilt whenever a server or the script changes (through
# the stamp), never edited by hand, and lives in the build directory only.

noinst_PROGRAMS += examples/servers/echo-c/echo-c
examples_servers_echo_c_echo_c_SOURCES = examples/servers/echo-c/server.c
examples_servers_echo_c_echo_c_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
examples_servers_echo_c_echo_c_LDADD = $(JANSSON_LIBS)

examples_scripts = \
	examples/mkregistry.sh \
	examples/demo.sh \
	examples/mcp-client.py
examples_server_sources = \
	examples/servers/echo-python/server.py \
	examples/servers/echo-node/server.js
EXTRA_DIST += $(examples_scripts) $(examples_server_sources)

examples/registry.stamp: $(top_srcdir)/examples/mkregistry.sh \
		$(examples_server_sources:%=$(top_srcdir)/%) \
		examples/servers/echo-c/echo-c$(EXEEXT)
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/examples/mkregistry.sh \
		--srcdir $(top_srcdir)/examples \
		--echo-c examples/servers/echo-c/echo-c$(EXEEXT) \
		--out examples/registry \
		--tar '$(TAR)' --gzip '$(GZIP)' && touch $@

all_local += examples/registry.stamp
clean_local += clean-examples-registry
clean-examples-registry:
	-rm -rf examples/registry examples/registry.tmp examples/registry.stamp
.PHONY: clean-examples-registry

# The example server runs in the sandbox under its limits (RLIMIT_DATA
# among them), where ASan's shadow memory cannot be mapped: it is built
# without the sanitizers even when the tools are.
if SANITIZERS
examples_servers_echo_c_echo_c_CFLAGS = $(AM_CFLAGS) -fno-sanitize=all
examples_servers_echo_c_echo_c_LDFLAGS = $(AM_LDFLAGS) -fno-sanitize=all
endif
