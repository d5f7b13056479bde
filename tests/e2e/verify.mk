# e2e tests: verify
TESTS += \
	tests/e2e/t2001-verify-usage.sh \
	tests/e2e/t2002-verify-valid.sh \
	tests/e2e/t2003-verify-digests.sh \
	tests/e2e/t2004-verify-escapes.sh \
	tests/e2e/t2005-verify-bounds.sh \
	tests/e2e/t2006-verify-many-entries.sh \
	tests/e2e/t2007-verify-entrypoint.sh \
	tests/e2e/t2008-verify-manifest.sh \
	tests/e2e/t2009-verify-fallback.sh \
	tests/e2e/t2010-verify-seal.sh
EXTRA_DIST += \
	tests/e2e/t2001-verify-usage.sh \
	tests/e2e/t2002-verify-valid.sh \
	tests/e2e/t2003-verify-digests.sh \
	tests/e2e/t2004-verify-escapes.sh \
	tests/e2e/t2005-verify-bounds.sh \
	tests/e2e/t2006-verify-many-entries.sh \
	tests/e2e/t2007-verify-entrypoint.sh \
	tests/e2e/t2008-verify-manifest.sh \
	tests/e2e/t2009-verify-fallback.sh \
	tests/e2e/t2010-verify-seal.sh \
	tests/e2e/verify-lib.sh \
	tests/e2e/verify-mktar.py

# A kernel without openat2(2), simulated with seccomp, for the fallback.
check_PROGRAMS += tests/bin/nosys
tests_bin_nosys_SOURCES = tests/bin/nosys.c
tests_bin_nosys_CPPFLAGS = $(AM_CPPFLAGS) $(SECCOMP_CFLAGS)
tests_bin_nosys_LDADD = $(SECCOMP_LIBS)
