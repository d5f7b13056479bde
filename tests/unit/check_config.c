/*
 * check_config.c: configuration layering (later file wins, environment
 * beats files), section and key checking, and where the user's file is.
 * HOME and XDG_CONFIG_HOME always point into a temporary directory: the
 * tests never read or write the real ones.
 */
#include <mcp-config.h>

#include <errno.h>
#include <sys/stat.h>

#include "config.h"
#include "unit.h"

static char *dir;

static void
setup(void)
{
	dir = unit_tmpdir();
	ck_assert_int_eq(setenv("HOME", dir, 1), 0);
	ck_assert_int_eq(unsetenv("XDG_CONFIG_HOME"), 0);
	unsetenv("MCP_REGISTRY");
	unsetenv("MCP_CACHE_DIR");
	unsetenv("MCP_AUDIT_LOG");
}

static void
teardown(void)
{
	unit_rmtree(dir);
	free(dir);
	dir = NULL;
}

static char *
file(const char *name, const char *text)
{
	return unit_write(dir, name, text, strlen(text));
}

START_TEST(test_layering)
{
	char *f[3];
	struct mcp_config c;
	struct mcp_err e;

	f[0] = file("1.yaml", "registry:\n  url: https://one.example\n"
	                      "  token_file: /t1\n"
	                      "cache:\n  dir: /c1\n"
	                      "verify:\n  interpreters: [node, python3]\n"
	                      "policy:\n  certification:\n    min_level: 1\n");
	f[1] = file("2.yaml", "registry:\n  url: https://two.example\n"
	                      "  cacert: /ca.pem\n"
	                      "audit:\n  log: /var/log/a\n"
	                      "verify:\n  interpreters: [python3.12]\n"
	                      "policy:\n");
	f[2] = file("3.yaml", "");
	mcp_config_init(&c);
	mcp_err_init(&e);
	ck_assert_msg(mcp_config_load(&c, f, 3, 1, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(c.nlayers, 3);
	ck_assert_str_eq(c.registry, "https://two.example");
	ck_assert_str_eq(c.registry_token_file, "/t1");
	ck_assert_str_eq(c.registry_cacert, "/ca.pem");
	ck_assert_str_eq(c.cache_dir, "/c1");
	ck_assert_str_eq(c.audit_log, "/var/log/a");
	ck_assert_str_eq(c.interpreters[0], "python3.12");
	ck_assert_ptr_null(c.interpreters[1]);
	/* Policy is kept per layer, not merged. */
	ck_assert_ptr_nonnull(c.layers[0].policy);
	ck_assert_int_eq(c.layers[0].policy->type, MCP_YNODE_MAP);
	ck_assert_ptr_null(c.layers[1].policy); /* "policy:" is empty */
	ck_assert_ptr_null(c.layers[2].doc->root);
	ck_assert_int_eq(c.layers[0].system, 0);
	ck_assert_str_eq(c.layers[1].doc->file, f[1]);
	mcp_config_release(&c);

	/* The environment beats every file; an empty variable is unset. */
	setenv("MCP_REGISTRY", "/srv/registry", 1);
	setenv("MCP_CACHE_DIR", "", 1);
	setenv("MCP_AUDIT_LOG", "/tmp/audit.log", 1);
	mcp_config_init(&c);
	ck_assert_int_eq(mcp_config_load(&c, f, 2, 1, &e), 0);
	ck_assert_str_eq(c.registry, "/srv/registry");
	ck_assert_str_eq(c.cache_dir, "/c1");
	ck_assert_str_eq(c.audit_log, "/tmp/audit.log");
	mcp_config_release(&c);

	/* No file at all: only the environment. */
	mcp_config_init(&c);
	ck_assert_int_eq(mcp_config_load(&c, NULL, 0, 1, &e), 0);
	ck_assert_uint_eq(c.nlayers, 0);
	ck_assert_str_eq(c.registry, "/srv/registry");
	ck_assert_ptr_null(c.cache_dir);
	ck_assert_ptr_null(c.interpreters);
	mcp_config_release(&c);
	free(f[0]);
	free(f[1]);
	free(f[2]);
}
END_TEST

/* audit.redact adds up over the files (a later file cannot drop a site's
 * pattern); audit.syslog is a setting, the last file that says wins. */
START_TEST(test_audit_section)
{
	char *f[3];
	struct mcp_config c;
	struct mcp_err e;

	f[0] = file("a1.yaml", "audit:\n  redact: [\"*_PIN\", cookie]\n"
	                       "  syslog: true\n");
	f[1] = file("a2.yaml", "audit:\n  log: /l\n");
	f[2] = file("a3.yaml", "audit:\n  redact: [\"X-Api-*\"]\n"
	                       "  syslog: false\n");
	mcp_config_init(&c);
	mcp_err_init(&e);
	ck_assert_msg(mcp_config_load(&c, f, 2, 1, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(c.naudit_redact, 2);
	ck_assert_str_eq(c.audit_redact[0], "*_PIN");
	ck_assert_str_eq(c.audit_redact[1], "cookie");
	ck_assert_ptr_null(c.audit_redact[2]);
	ck_assert_int_eq(c.audit_syslog, 1);
	mcp_config_release(&c);

	mcp_config_init(&c);
	ck_assert_msg(mcp_config_load(&c, f, 3, 1, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(c.naudit_redact, 3);
	ck_assert_str_eq(c.audit_redact[2], "X-Api-*");
	ck_assert_ptr_null(c.audit_redact[3]);
	ck_assert_int_eq(c.audit_syslog, 0);
	mcp_config_release(&c);

	mcp_config_init(&c);
	ck_assert_int_eq(mcp_config_load(&c, f + 1, 1, 1, &e), 0);
	ck_assert_ptr_null(c.audit_redact);
	ck_assert_uint_eq(c.naudit_redact, 0);
	ck_assert_int_eq(c.audit_syslog, 0);
	mcp_config_release(&c);
	free(f[0]);
	free(f[1]);
	free(f[2]);
}
END_TEST

static const struct {
	const char *yaml, *msg; /* msg follows "FILE:" */
} bad[] = {
    {"regsitry:\n  url: x\n", "1:1: configuration: unknown key \"regsitry\""},
    {"cache:\n  dri: /x\n", "2:3: cache: unknown key \"dri\""},
    {"registry:\n  url: x\n  token: y\n",
     "3:3: registry: unknown key \"token\""},
    {"audit:\n  log: /x\n  path: /y\n", "3:3: audit: unknown key \"path\""},
    {"verify:\n  interpreter: [node]\n",
     "2:3: verify: unknown key \"interpreter\""},
    {"- a\n- b\n", "1:1: configuration must be a mapping of sections"},
    {"just text\n", "1:1: configuration must be a mapping of sections"},
    {"registry: https://x\n", "1:11: registry: must be a mapping"},
    {"policy: [a]\n", "1:9: policy: must be a mapping"},
    {"policy: strict\n", "1:9: policy: must be a mapping"},
    {"registry:\n  url: \"\"\n", "2:8: registry.url: must not be empty"},
    {"registry:\n  url: [a]\n", "2:8: registry.url: must be a string"},
    {"cache:\n  dir:\n", "2:7: cache.dir: must be a string"},
    {"verify:\n  interpreters: node\n",
     "2:17: verify.interpreters: must be a list of strings"},
    {"verify:\n  interpreters: [node, /usr/bin/node]\n",
     "2:24: verify.interpreters[1]: must be a bare command name, not a path"},
    {"verify:\n  interpreters: [..]\n",
     "2:18: verify.interpreters[0]: must be a bare command name, not a path"},
    {"cache:\n  dir: /a\ncache:\n  dir: /b\n", "3:1: duplicate key \"cache\""},
    {"audit:\n  redact: \"*_PIN\"\n",
     "2:11: audit.redact: must be a list of strings"},
    {"audit:\n  redact: [\"*_PIN\", \"\"]\n",
     "2:21: audit.redact[1]: must be a glob of 1 to 256 characters"},
    {"audit:\n  syslog: yes\n", "2:11: audit.syslog: must be true or false"},
};

START_TEST(test_bad)
{
	char *f = file("bad.yaml", bad[_i].yaml), want[512];
	struct mcp_config c;
	struct mcp_err e;

	mcp_config_init(&c);
	mcp_err_init(&e);
	ck_assert_int_eq(mcp_config_load(&c, &f, 1, 1, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	snprintf(want, sizeof(want), "%s:%s", f, bad[_i].msg);
	ck_assert_str_eq(e.msg, want);
	mcp_config_release(&c);
	free(f);
}
END_TEST

START_TEST(test_missing)
{
	char *f = "/nonexistent/mcp.yaml";
	struct mcp_config c;
	struct mcp_err e;

	/* A --config file must exist. */
	mcp_config_init(&c);
	mcp_err_init(&e);
	ck_assert_int_eq(mcp_config_load(&c, &f, 1, 1, &e), -1);
	ck_assert_str_eq(e.msg,
	                 "/nonexistent/mcp.yaml: No such file or directory");
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	mcp_config_release(&c);
}
END_TEST

START_TEST(test_user_path)
{
	char *p, want[512];

	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	p = mcp_config_user_path();
	ck_assert_str_eq(p, "/xdg/conf/mcp/config.yaml");
	free(p);
	/* A relative XDG_CONFIG_HOME is ignored. */
	setenv("XDG_CONFIG_HOME", "rel/conf", 1);
	p = mcp_config_user_path();
	snprintf(want, sizeof(want), "%s/.config/mcp/config.yaml", dir);
	ck_assert_str_eq(p, want);
	free(p);
	setenv("XDG_CONFIG_HOME", "", 1);
	p = mcp_config_user_path();
	ck_assert_str_eq(p, want);
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	ck_assert_ptr_null(mcp_config_user_path());
	setenv("HOME", "relative", 1);
	ck_assert_ptr_null(mcp_config_user_path());
	setenv("HOME", dir, 1);
}
END_TEST

START_TEST(test_defaults)
{
	char path[512], *extra;
	struct mcp_config c;
	struct mcp_err e;
	int sys = access(MCP_SYSTEM_CONFIG, F_OK) == 0;

	/* No user file: fine. */
	mcp_config_init(&c);
	mcp_err_init(&e);
	if (mcp_config_load(&c, NULL, 0, 0, &e) < 0 && sys)
		ck_abort_msg("system file %s: %s", MCP_SYSTEM_CONFIG, e.msg);
	ck_assert_uint_eq(c.nlayers, (size_t)sys);
	mcp_config_release(&c);

	/* The user file under XDG_CONFIG_HOME, then --config over it. */
	snprintf(path, sizeof(path), "%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/xdg", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/xdg/mcp", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	{
		static const char user[] =
		    "registry:\n  url: /user/reg\ncache:\n  dir: /user/cache\n";

		free(unit_write(path, "config.yaml", user, sizeof(user) - 1));
	}
	extra = file("extra.yaml", "cache:\n  dir: /flag/cache\n");
	mcp_config_init(&c);
	ck_assert_msg(mcp_config_load(&c, &extra, 1, 0, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(c.nlayers, (size_t)sys + 2);
	ck_assert_str_eq(c.registry, "/user/reg");
	ck_assert_str_eq(c.cache_dir, "/flag/cache");
	ck_assert_int_eq(c.layers[sys].system, 0);
	if (sys)
		ck_assert_int_eq(c.layers[0].system, 1);
	mcp_config_release(&c);

	/* skip_defaults reads only the files given. */
	mcp_config_init(&c);
	ck_assert_int_eq(mcp_config_load(&c, &extra, 1, 1, &e), 0);
	ck_assert_uint_eq(c.nlayers, 1);
	ck_assert_ptr_null(c.registry);
	mcp_config_release(&c);
	free(extra);
}
END_TEST

START_TEST(test_unreadable_user_file)
{
	char path[512];
	struct mcp_config c;
	struct mcp_err e;

	/* Only "no such file" is skipped: here config.yaml is a directory,
	 * which cannot be read, so the load fails instead of ignoring it. */
	snprintf(path, sizeof(path), "%s/.config", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.config/mcp", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.config/mcp/config.yaml", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	mcp_config_init(&c);
	mcp_err_init(&e);
	ck_assert_int_eq(mcp_config_load(&c, NULL, 0, 0, &e), -1);
	ck_assert_msg(strstr(e.msg, "config.yaml: read: Is a directory") !=
	                  NULL,
	              "%s", e.msg);
	mcp_config_release(&c);
}
END_TEST

START_TEST(test_too_many)
{
	char *f = file("a.yaml", "cache:\n  dir: /x\n");
	char *files[MCP_CONFIG_MAX_FILES + 1];
	struct mcp_config c;
	struct mcp_err e;
	size_t i;

	for (i = 0; i <= MCP_CONFIG_MAX_FILES; i++)
		files[i] = f;
	mcp_config_init(&c);
	mcp_err_init(&e);
	ck_assert_int_eq(
	    mcp_config_load(&c, files, MCP_CONFIG_MAX_FILES, 1, &e), 0);
	mcp_config_release(&c);
	mcp_config_init(&c);
	ck_assert_int_eq(
	    mcp_config_load(&c, files, MCP_CONFIG_MAX_FILES + 1, 1, &e), -1);
	ck_assert_str_eq(e.msg, "too many configuration files (at most 16)");
	mcp_config_release(&c);
	free(f);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_layering);
	tcase_add_test(tc, test_audit_section);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_user_path);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_unreadable_user_file);
	tcase_add_test(tc, test_too_many);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
