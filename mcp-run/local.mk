# mcp-run is a POSIX sh script; configure's paths are substituted at make
# time (do_subst), so "make bindir=..." and DESTDIR installs stay right.
bin_SCRIPTS += mcp-run/mcp-run
CLEANFILES += mcp-run/mcp-run
EXTRA_DIST += mcp-run/mcp-run.in

mcp-run/mcp-run: $(top_srcdir)/mcp-run/mcp-run.in Makefile
	$(AM_V_GEN)$(MKDIR_P) mcp-run && rm -f $@ $@.tmp && \
	$(do_subst) $(top_srcdir)/mcp-run/mcp-run.in >$@.tmp && \
	chmod +x $@.tmp && chmod a-w $@.tmp && mv $@.tmp $@
