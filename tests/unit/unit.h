/*
 * unit.h: what every Check suite of tests/unit shares: running one suite
 * with TAP output (one counted result per case for tap-driver.sh), and a
 * private temporary directory, so no test ever touches the real $HOME.
 */
#ifndef MCP_UNIT_H
#define MCP_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Run S, TAP on stdout; 0 if every case passed. */
static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A fresh directory under $TMPDIR (or /tmp); the caller removes it. */
static inline char *
unit_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p;

	if (t == NULL || t[0] != '/')
		t = "/tmp";
	p = malloc(strlen(t) + 32);
	ck_assert_ptr_nonnull(p);
	sprintf(p, "%s/mcp-unit.XXXXXX", t);
	ck_assert_ptr_nonnull(mkdtemp(p));
	return p;
}

/* Write LEN bytes of DATA to DIR/NAME; returns the path (malloc'd). */
static inline char *
unit_write(const char *dir, const char *name, const char *data, size_t len)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	FILE *f;

	ck_assert_ptr_nonnull(p);
	sprintf(p, "%s/%s", dir, name);
	f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

/* rm -r DIR (only files and directories the test made). */
static inline void
unit_rmtree(const char *dir)
{
	char *cmd = malloc(strlen(dir) + 16);

	ck_assert_ptr_nonnull(cmd);
	sprintf(cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0); /* NOLINT(cert-env33-c): test */
	free(cmd);
}

#endif
