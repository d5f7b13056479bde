# lint/: static analysis over every C source of the tree (HACKING.md).
#
#   make cppcheck      cppcheck (lint/cppcheck.cfg: what it must know of
#                      jansson and check; lint/cppcheck.supp: suppressions)
#   make clang-tidy    clang-tidy with the checks of .clang-tidy
#   make lint          both; fails on any finding, one `file:line: message`
#                      line each, and a `PASS:`/`FAIL:` line per analyser
#
# Both read lint/compile_commands.json, written here from the same automake
# variables the build compiles with (include paths, -D, pkg-config cflags,
# the config header), one entry per source file.  A new program's sources
# must be added below: lint.sh fails on a C file git knows and this list
# misses.

CPPCHECK = cppcheck
CLANG_TIDY = clang-tidy
LINT_JOBS = 2

EXTRA_DIST += lint/lint.sh lint/cppcheck.supp lint/cppcheck.cfg .clang-tidy

lint_sh = $(SHELL) $(top_srcdir)/lint/lint.sh
lint_add = $(lint_sh) entry --srcdir $(top_srcdir) lint/entries.tmp \
	$(CC) $(DEFS) $(DEFAULT_INCLUDES) $(INCLUDES)
lint_cflags = $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS)
# The fuzz targets' flags are defined only in a fuzzing build; these are
# the same (fuzz/local.mk) without the sanitizer and coverage flags.
lint_fuzz_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz $(JANSSON_CFLAGS) \
	$(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS) $(YAML_CFLAGS)

lint/compile_commands.json: Makefile $(top_srcdir)/lint/lint.sh
	@$(MKDIR_P) lint && rm -f lint/entries.tmp
	@$(lint_add) $(common_libmcpcommon_a_CPPFLAGS) $(lint_cflags) -- \
		$(common_libmcpcommon_a_SOURCES)
	@$(lint_add) $(mcp_fetch_mcp_fetch_CPPFLAGS) $(lint_cflags) -- \
		$(mcp_fetch_mcp_fetch_SOURCES)
	@$(lint_add) $(mcp_verify_mcp_verify_CPPFLAGS) $(lint_cflags) -- \
		$(mcp_verify_mcp_verify_SOURCES)
	@$(lint_add) $(mcp_policy_mcp_policy_CPPFLAGS) $(lint_cflags) -- \
		$(mcp_policy_mcp_policy_SOURCES)
	@$(lint_add) $(mcp_exec_mcp_exec_CPPFLAGS) $(lint_cflags) -- \
		$(mcp_exec_mcp_exec_SOURCES)
	@$(lint_add) $(mcp_audit_mcp_audit_CPPFLAGS) $(lint_cflags) -- \
		$(mcp_audit_mcp_audit_SOURCES)
	@$(lint_add) $(mcp_audit_chain_check_CPPFLAGS) $(lint_cflags) -- \
		$(mcp_audit_chain_check_SOURCES)
	@$(lint_add) $(mcp_pack_mcp_pack_CPPFLAGS) $(lint_cflags) -- \
		$(mcp_pack_mcp_pack_SOURCES)
	@$(lint_add) $(examples_servers_echo_c_echo_c_CPPFLAGS) $(lint_cflags) -- \
		$(examples_servers_echo_c_echo_c_SOURCES)
	@$(lint_add) $(tests_unit_check_err_CPPFLAGS) $(lint_cflags) -- \
		$(tests_unit_check_err_SOURCES) $(tests_unit_check_ref_SOURCES) \
		$(tests_unit_check_digest_SOURCES) $(tests_unit_check_doc_SOURCES) \
		$(tests_unit_check_yaml_SOURCES) $(tests_unit_check_config_SOURCES) \
		$(tests_unit_check_paths_SOURCES) $(tests_unit_check_units_SOURCES) \
		$(tests_unit_check_io_SOURCES) $(tests_unit_check_opts_SOURCES) \
		$(tests_unit_check_seal_SOURCES) \
		$(tests_unit_check_sandbox_SOURCES)
	@$(lint_add) $(tests_unit_check_manifest_CPPFLAGS) $(lint_cflags) -- \
		$(tests_unit_check_manifest_SOURCES)
	@$(lint_add) $(tests_unit_check_policy_CPPFLAGS) $(lint_cflags) -- \
		$(tests_unit_check_policy_SOURCES)
	@$(lint_add) $(AM_CPPFLAGS) $(CPPFLAGS) $(exec_testbin_cflags) $(CFLAGS) \
		-pthread -- $(tests_bin_forkbomb_SOURCES) \
		$(tests_bin_balloon_SOURCES) $(tests_bin_fdhog_SOURCES) \
		$(tests_bin_cpuburn_SOURCES) $(tests_bin_termignore_SOURCES) \
		$(tests_bin_daemonize_SOURCES) $(tests_bin_privcheck_SOURCES) \
		$(tests_bin_cgescape_SOURCES) $(tests_bin_escape_SOURCES)
	@$(lint_add) $(tests_bin_nosys_CPPFLAGS) $(lint_cflags) -- \
		$(tests_bin_nosys_SOURCES)
	@$(lint_add) $(lint_fuzz_cppflags) $(lint_cflags) -- \
		fuzz/fuzz.c fuzz/fuzz_ref.c fuzz/fuzz_doc.c
	@$(lint_add) $(lint_fuzz_cppflags) -I$(top_srcdir)/mcp-policy \
		$(lint_cflags) -- fuzz/fuzz_yaml.c
	@$(lint_add) $(lint_fuzz_cppflags) -I$(top_srcdir)/mcp-verify \
		$(lint_cflags) -- fuzz/fuzz_manifest.c fuzz/fuzz_extract.c
	@$(lint_add) $(lint_fuzz_cppflags) -I$(top_srcdir)/mcp-exec \
		$(lint_cflags) -- fuzz/fuzz_spec.c
	@$(lint_add) $(lint_fuzz_cppflags) -I$(top_srcdir)/mcp-audit \
		$(lint_cflags) -- fuzz/fuzz_audit.c
	@$(lint_add) $(AM_CPPFLAGS) $(lint_cflags) -- \
		bench/fsync-loop.c bench/exec-time.c bench/first-reply.c
	$(AM_V_GEN)$(lint_sh) compdb --srcdir $(top_srcdir) lint/entries.tmp $@ && \
		rm -f lint/entries.tmp

lint_opts = --srcdir $(top_srcdir) --db lint/compile_commands.json \
	--jobs $(LINT_JOBS)

cppcheck: lint/compile_commands.json
	@$(lint_sh) cppcheck $(lint_opts) --supp $(top_srcdir)/lint/cppcheck.supp --cppcheck '$(CPPCHECK)'

clang-tidy: lint/compile_commands.json
	@$(lint_sh) clang-tidy $(lint_opts) --clang-tidy '$(CLANG_TIDY)'

# Both run even when the first fails, so one pass shows every finding.
lint: lint/compile_commands.json
	@status=0; \
	$(MAKE) $(AM_MAKEFLAGS) cppcheck || status=1; \
	$(MAKE) $(AM_MAKEFLAGS) clang-tidy || status=1; \
	exit $$status

clean_local += clean-lint
clean-lint:
	-rm -f lint/compile_commands.json lint/entries.tmp lint/cppcheck.out \
		lint/clang-tidy.out lint/clang-tidy.log lint/clang-tidy.err
.PHONY: lint cppcheck clang-tidy clean-lint
