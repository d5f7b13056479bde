# e2e tests: exec
# Hostile and helper programs the tests run as "servers" under mcp-exec
# ($MCP_TEST_BIN); never installed.
check_PROGRAMS += tests/bin/forkbomb tests/bin/balloon tests/bin/fdhog \
	tests/bin/cpuburn tests/bin/termignore tests/bin/daemonize \
	tests/bin/privcheck tests/bin/cgescape tests/bin/escape
# Built without the sanitizers even in a sanitizer build: ASan reserves
# terabytes of shadow memory, which the run's RLIMIT_DATA (rightly)
# refuses, and these programs test mcp-exec, not themselves.
exec_testbin_cflags = -Wall -Wextra
tests_bin_forkbomb_SOURCES = tests/bin/forkbomb.c
tests_bin_forkbomb_CFLAGS = $(exec_testbin_cflags)
tests_bin_forkbomb_LDFLAGS =
tests_bin_balloon_SOURCES = tests/bin/balloon.c
tests_bin_balloon_CFLAGS = $(exec_testbin_cflags)
tests_bin_balloon_LDFLAGS =
tests_bin_fdhog_SOURCES = tests/bin/fdhog.c
tests_bin_fdhog_CFLAGS = $(exec_testbin_cflags)
tests_bin_fdhog_LDFLAGS =
tests_bin_cpuburn_SOURCES = tests/bin/cpuburn.c
tests_bin_cpuburn_CFLAGS = $(exec_testbin_cflags)
tests_bin_cpuburn_LDFLAGS =
tests_bin_termignore_SOURCES = tests/bin/termignore.c
tests_bin_termignore_CFLAGS = $(exec_testbin_cflags)
tests_bin_termignore_LDFLAGS =
tests_bin_daemonize_SOURCES = tests/bin/daemonize.c
tests_bin_daemonize_CFLAGS = $(exec_testbin_cflags)
tests_bin_daemonize_LDFLAGS =
tests_bin_privcheck_SOURCES = tests/bin/privcheck.c
tests_bin_privcheck_CFLAGS = $(exec_testbin_cflags)
tests_bin_privcheck_LDFLAGS =
tests_bin_cgescape_SOURCES = tests/bin/cgescape.c
tests_bin_cgescape_CFLAGS = $(exec_testbin_cflags)
tests_bin_cgescape_LDFLAGS =
tests_bin_escape_SOURCES = tests/bin/escape.c
tests_bin_escape_CFLAGS = $(exec_testbin_cflags) -pthread
tests_bin_escape_LDFLAGS = -pthread

TESTS += \
	tests/e2e/t4001-exec-usage.sh \
	tests/e2e/t4002-exec-run.sh \
	tests/e2e/t4003-exec-lifecycle.sh \
	tests/e2e/t4004-exec-probe.sh \
	tests/e2e/t4005-exec-cgroup.sh \
	tests/e2e/t4006-exec-rootless.sh \
	tests/e2e/t4010-exec-namespaces.sh \
	tests/e2e/t4011-exec-escapes.sh \
	tests/e2e/t4012-exec-examples.sh \
	tests/e2e/t4013-exec-secrets.sh \
	tests/e2e/t4014-exec-allowlist.sh \
	tests/e2e/t4015-exec-hangup.sh
EXTRA_DIST += tests/e2e/exec-lib.sh \
	tests/e2e/t4001-exec-usage.sh \
	tests/e2e/t4002-exec-run.sh \
	tests/e2e/t4003-exec-lifecycle.sh \
	tests/e2e/t4004-exec-probe.sh \
	tests/e2e/t4005-exec-cgroup.sh \
	tests/e2e/t4006-exec-rootless.sh \
	tests/e2e/t4010-exec-namespaces.sh \
	tests/e2e/t4011-exec-escapes.sh \
	tests/e2e/t4012-exec-examples.sh \
	tests/e2e/t4013-exec-secrets.sh \
	tests/e2e/t4014-exec-allowlist.sh \
	tests/e2e/t4015-exec-hangup.sh
