# fuzz/: libFuzzer targets, built only by
#   ./configure CC=clang --enable-fuzzing
# (docs/SECURITY-TESTING.md).  The modules under test are compiled again
# into fuzz/libmcpfuzz.a with FUZZ_CFLAGS (libFuzzer's coverage, ASan,
# UBSan): common/libmcpcommon.a and the tools are never instrumented for
# the fuzzer.
#
#   make fuzz-targets                 build fuzz/fuzz_<name>
#   make fuzz-smoke                   each target FUZZ_SMOKE_SECONDS (60) on
#                                     its seed corpus; fails on any finding
#   make fuzz FUZZ_SECONDS=N          longer runs; corpora grow in
#                                     fuzz/corpus/<name>, crashes land in
#                                     fuzz/artifacts/<name>
#   make fuzz-regress                 replay fuzz/regress/<name>/* (also in
#                                     make check)

FUZZ_NAMES = ref doc yaml manifest spec audit extract
FUZZ_SMOKE_SECONDS = 60
FUZZ_SECONDS = 600

EXTRA_DIST += fuzz/seeds.sh fuzz/run.sh fuzz/regress.sh fuzz/regress \
	docs/SECURITY-TESTING.md

if FUZZING
FUZZ_TARGETS = fuzz/fuzz_ref fuzz/fuzz_doc fuzz/fuzz_yaml \
	fuzz/fuzz_manifest fuzz/fuzz_spec fuzz/fuzz_audit fuzz/fuzz_extract
noinst_PROGRAMS += $(FUZZ_TARGETS)
noinst_LIBRARIES += fuzz/libmcpfuzz.a

fuzz_libs_cflags = $(JANSSON_CFLAGS) $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS) \
	$(YAML_CFLAGS)
fuzz_libmcpfuzz_a_CPPFLAGS = $(AM_CPPFLAGS) $(fuzz_libs_cflags)
fuzz_libmcpfuzz_a_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
fuzz_libmcpfuzz_a_SOURCES = fuzz/fuzz.c fuzz/fuzz.h \
	common/err.c common/xalloc.c common/io.c common/doc.c common/ref.c \
	common/digest.c common/seal.c common/yaml.c common/paths.c common/units.c \
	mcp-verify/manifest.c mcp-verify/extract.c mcp-verify/archive-lazy.c \
	mcp-policy/policy.c \
	mcp-exec/spec.c \
	mcp-audit/chain.c

fuzz_ldadd = fuzz/libmcpfuzz.a $(JANSSON_LIBS) $(ARCHIVE_LIBS) \
	$(CRYPTO_LIBS) $(YAML_LIBS)
fuzz_cflags = $(AM_CFLAGS) $(FUZZ_CFLAGS)
fuzz_ldflags = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

fuzz_fuzz_ref_SOURCES = fuzz/fuzz_ref.c
fuzz_fuzz_ref_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz $(fuzz_libs_cflags)
fuzz_fuzz_ref_CFLAGS = $(fuzz_cflags)
fuzz_fuzz_ref_LDFLAGS = $(fuzz_ldflags)
fuzz_fuzz_ref_LDADD = $(fuzz_ldadd)

fuzz_fuzz_doc_SOURCES = fuzz/fuzz_doc.c
fuzz_fuzz_doc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz $(fuzz_libs_cflags)
fuzz_fuzz_doc_CFLAGS = $(fuzz_cflags)
fuzz_fuzz_doc_LDFLAGS = $(fuzz_ldflags)
fuzz_fuzz_doc_LDADD = $(fuzz_ldadd)

fuzz_fuzz_yaml_SOURCES = fuzz/fuzz_yaml.c
fuzz_fuzz_yaml_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/mcp-policy $(fuzz_libs_cflags)
fuzz_fuzz_yaml_CFLAGS = $(fuzz_cflags)
fuzz_fuzz_yaml_LDFLAGS = $(fuzz_ldflags)
fuzz_fuzz_yaml_LDADD = $(fuzz_ldadd)

fuzz_fuzz_manifest_SOURCES = fuzz/fuzz_manifest.c
fuzz_fuzz_manifest_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/mcp-verify $(fuzz_libs_cflags)
fuzz_fuzz_manifest_CFLAGS = $(fuzz_cflags)
fuzz_fuzz_manifest_LDFLAGS = $(fuzz_ldflags)
fuzz_fuzz_manifest_LDADD = $(fuzz_ldadd)

# mcp-exec/spec.h, not mcp-policy/spec.h: only mcp-exec is on the path.
fuzz_fuzz_spec_SOURCES = fuzz/fuzz_spec.c
fuzz_fuzz_spec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/mcp-exec $(fuzz_libs_cflags)
fuzz_fuzz_spec_CFLAGS = $(fuzz_cflags)
fuzz_fuzz_spec_LDFLAGS = $(fuzz_ldflags)
fuzz_fuzz_spec_LDADD = $(fuzz_ldadd)

fuzz_fuzz_audit_SOURCES = fuzz/fuzz_audit.c
fuzz_fuzz_audit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/mcp-audit $(fuzz_libs_cflags)
fuzz_fuzz_audit_CFLAGS = $(fuzz_cflags)
fuzz_fuzz_audit_LDFLAGS = $(fuzz_ldflags)
fuzz_fuzz_audit_LDADD = $(fuzz_ldadd)

fuzz_fuzz_extract_SOURCES = fuzz/fuzz_extract.c
fuzz_fuzz_extract_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/mcp-verify $(fuzz_libs_cflags)
fuzz_fuzz_extract_CFLAGS = $(fuzz_cflags)
fuzz_fuzz_extract_LDFLAGS = $(fuzz_ldflags)
fuzz_fuzz_extract_LDADD = $(fuzz_ldadd)

# The seed corpora, generated: the example registry's manifests and
# bundles, audit lines from the mcp-audit just built, hand-written
# documents, policies and specs, and archives made with tar or python3;
# and the dictionaries, from the string literals of the modules.
fuzz/corpus.stamp: $(top_srcdir)/fuzz/seeds.sh examples/registry.stamp \
		mcp-audit/mcp-audit$(EXEEXT) $(fuzz_libmcpfuzz_a_SOURCES)
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/fuzz/seeds.sh --out fuzz/corpus \
		--dict fuzz/dict --srcdir $(top_srcdir) \
		--registry examples/registry \
		--mcp-audit mcp-audit/mcp-audit$(EXEEXT) \
		--python '$(PYTHON3)' >/dev/null && touch $@

fuzz-targets: $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_TARGETS) fuzz/corpus.stamp
	@$(SHELL) $(top_srcdir)/fuzz/run.sh --seconds $(FUZZ_SMOKE_SECONDS) \
		--srcdir $(top_srcdir) $(FUZZ_NAMES)

fuzz: $(FUZZ_TARGETS) fuzz/corpus.stamp
	@$(SHELL) $(top_srcdir)/fuzz/run.sh --seconds $(FUZZ_SECONDS) \
		--srcdir $(top_srcdir) $(FUZZ_NAMES)

fuzz-regress: $(FUZZ_TARGETS)
	@top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(top_srcdir)/fuzz/regress.sh

TESTS += fuzz/regress.sh

# The corpora and crash inputs are kept by make clean (they are the
# campaign's results); the logs and the seeds' stamp are not.
clean_local += clean-fuzz
clean-fuzz:
	-rm -rf fuzz/logs fuzz/dict fuzz/corpus.stamp
else
fuzz-targets fuzz-smoke fuzz fuzz-regress:
	@echo "fuzzing is off: ./configure CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz-targets fuzz-smoke fuzz fuzz-regress clean-fuzz
