/*
 * check_policy.c: the policy model of mcp-policy: the built-in values,
 * validating a layer, merging layers so that a later one only tightens,
 * clamping limits, and every decision (packages, environment, filesystem,
 * network), then the spec built from a verified document.
 */
#include <mcp-config.h>

#include <jansson.h>

#include "doc.h"
#include "policy.h"
#include "spec.h"
#include "unit.h"
#include "xalloc.h"
#include "yaml.h"

/* The YAML trees must outlive the policy: sources point into them. */
#define MAX_DOCS 8
static struct mcp_ydoc *docs[MAX_DOCS];
static size_t ndocs;
static struct mcp_policy pol;

static void
setup(void)
{
	mcp_policy_init(&pol);
	ndocs = 0;
}

static void
teardown(void)
{
	size_t i;

	mcp_policy_release(&pol);
	for (i = 0; i < ndocs; i++)
		mcp_yaml_free(docs[i]);
	ndocs = 0;
}

/* Add the YAML text as the next layer, named FILE; returns 0 or -1. */
static int
layer_err(const char *file, const char *yaml, struct mcp_err *e)
{
	struct mcp_ydoc *d;

	mcp_err_init(e);
	d = mcp_yaml_load_buf(yaml, strlen(yaml), file, e);
	ck_assert_msg(d != NULL, "yaml: %s", e->msg);
	ck_assert_uint_lt(ndocs, MAX_DOCS);
	docs[ndocs++] = d;
	return mcp_policy_add(&pol, file, mcp_ynode_get(d->root, "policy"), e);
}

static void
layer(const char *file, const char *yaml)
{
	struct mcp_err e;

	ck_assert_msg(layer_err(file, yaml, &e) == 0, "%s", e.msg);
}

static int
has_warning(const char *needle)
{
	size_t i;

	for (i = 0; i < pol.nwarnings; i++)
		if (strstr(pol.warnings[i], needle) != NULL)
			return 1;
	return 0;
}

START_TEST(builtin_values)
{
	ck_assert_uint_eq(pol.def[MCP_LIMIT_CPU], 1000);
	ck_assert_uint_eq(pol.def[MCP_LIMIT_MEMORY], 512ULL << 20);
	ck_assert_uint_eq(pol.def[MCP_LIMIT_PIDS], 64);
	ck_assert_uint_eq(pol.def[MCP_LIMIT_FDS], 256);
	ck_assert_uint_eq(pol.def[MCP_LIMIT_TIMEOUT], 8ULL * 3600 * 1000);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_CPU], 2000);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_MEMORY], 2ULL << 30);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_PIDS], 256);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_FDS], 4096);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_TIMEOUT], 24ULL * 3600 * 1000);
	ck_assert_uint_eq(pol.cert_min, 0);
	ck_assert_int_eq(pol.cert_mode, MCP_CERT_WARN);
	ck_assert_uint_eq(pol.status_allow, 1u << MCP_STATUS_PUBLISHED |
	                                        1u << MCP_STATUS_DEPRECATED |
	                                        1u << MCP_STATUS_NONE);
	ck_assert_uint_eq(pol.status_warn,
	                  1u << MCP_STATUS_DEPRECATED | 1u << MCP_STATUS_NONE);
	ck_assert_int_eq(mcp_policy_net_mode(&pol), MCP_NET_NONE);
	ck_assert_int_eq(pol.subprocess, 0);
	ck_assert_int_eq(pol.ungranted, MCP_UNGRANTED_DENY);
	ck_assert_uint_eq(pol.nwarnings, 0);
}
END_TEST

START_TEST(builtin_grants_nothing)
{
	char why[512];
	int secret;
	enum mcp_net_mode m;

	ck_assert_int_eq(
	    mcp_policy_env(&pol, "HOME", &secret, why, sizeof(why)), 0);
	ck_assert_int_eq(
	    mcp_policy_fs(&pol, "/srv", MCP_ACCESS_R, why, sizeof(why)), 0);
	ck_assert_int_eq(
	    mcp_policy_net(&pol, "a.example:443", &m, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "network mode is none (built-in)");
	/* Filters are open when no layer speaks. */
	ck_assert_int_eq(mcp_policy_package(&pol, "acme/x", why, sizeof(why)),
	                 1);
	ck_assert_int_eq(mcp_policy_origin(&pol, NULL, why, sizeof(why)), 1);
	ck_assert_int_eq(
	    mcp_policy_registry(&pol, "https://x", why, sizeof(why)), 1);
}
END_TEST

START_TEST(caps_min_over_layers)
{
	layer("a.yaml",
	      "policy:\n  limits:\n    caps: {memory: 1G, pids: 100}\n");
	layer("b.yaml",
	      "policy:\n  limits:\n    caps: {memory: 4G, pids: 50}\n");
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_MEMORY], 1ULL << 30);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_PIDS], 50);
	ck_assert_str_eq(pol.cap_src[MCP_LIMIT_PIDS].file, "b.yaml");
	ck_assert_str_eq(pol.cap_src[MCP_LIMIT_MEMORY].file, "a.yaml");
	ck_assert_uint_eq(pol.nwarnings, 1);
	ck_assert_str_eq(pol.warnings[0],
	                 "b.yaml:3: policy.limits.caps.memory 4G is looser "
	                 "than 1G from a.yaml:3; ignored");
	/* Untouched limits keep the built-in caps. */
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_FDS], 4096);
}
END_TEST

START_TEST(first_cap_may_raise_builtin)
{
	/* The built-in value is what applies when no file speaks, not a
	 * layer: the first file may set any value. */
	layer("a.yaml", "policy:\n  limits:\n    caps: {memory: 8G}\n");
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_MEMORY], 8ULL << 30);
	ck_assert_uint_eq(pol.nwarnings, 0);
}
END_TEST

START_TEST(defaults_clamped_to_caps)
{
	layer("a.yaml",
	      "policy:\n  limits:\n    caps: {memory: 256M, cpu: 500m}\n");
	/* The built-in default 512M is lowered silently. */
	ck_assert_uint_eq(pol.def[MCP_LIMIT_MEMORY], 256ULL << 20);
	ck_assert_uint_eq(pol.def[MCP_LIMIT_CPU], 500);
	ck_assert_uint_eq(pol.nwarnings, 0);
	layer("b.yaml",
	      "policy:\n  limits:\n    defaults: {memory: 1G, fds: 10}\n");
	ck_assert_uint_eq(pol.def[MCP_LIMIT_MEMORY], 256ULL << 20);
	ck_assert_uint_eq(pol.def[MCP_LIMIT_FDS], 10);
	ck_assert(
	    has_warning("b.yaml:3: policy.limits.defaults.memory 1G is above "
	                "the cap 256M from a.yaml:3; using the cap"));
	/* A later lower cap lowers an earlier default too. */
	layer("c.yaml", "policy:\n  limits:\n    caps: {fds: 5}\n");
	ck_assert_uint_eq(pol.def[MCP_LIMIT_FDS], 5);
	ck_assert(has_warning("b.yaml:3: policy.limits.defaults.fds 10 is "
	                      "above the cap 5 from c.yaml:3"));
}
END_TEST

START_TEST(defaults_last_wins)
{
	layer("a.yaml", "policy:\n  limits:\n    defaults: {timeout: 1h}\n");
	layer("b.yaml", "policy:\n  limits:\n    defaults: {timeout: 2h}\n");
	ck_assert_uint_eq(pol.def[MCP_LIMIT_TIMEOUT], 2ULL * 3600 * 1000);
	ck_assert_uint_eq(pol.nwarnings, 0);
}
END_TEST

START_TEST(limit_notations)
{
	layer("a.yaml",
	      "policy:\n  limits:\n    caps: {cpu: 1500, memory: 3Gi, "
	      "pids: 7, fds: 9, timeout: 1h30m}\n");
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_CPU], 1500);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_MEMORY], 3ULL << 30);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_PIDS], 7);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_FDS], 9);
	ck_assert_uint_eq(pol.cap[MCP_LIMIT_TIMEOUT], 5400000);
}
END_TEST

static const char *const bad_limits[] = {
    "cpu: 0",       "cpu: 0m",       "cpu: 1.5",
    "cpu: 2000000", "cpu: -1",       "cpu: m",
    "memory: 0",    "memory: 2T",    "memory: 1025G",
    "memory: x",    "pids: 0",       "pids: 4194305",
    "pids: 010",    "fds: 1048577",  "fds: 1e3",
    "timeout: 0s",  "timeout: 721h", "timeout: 90",
    "timeout: 1d",  "pids: [1]",     "pids: 99999999999999999999999999999",
};

START_TEST(limit_rejects)
{
	char yaml[256];
	struct mcp_err e;

	snprintf(yaml, sizeof(yaml), "policy:\n  limits:\n    caps: {%s}\n",
	         bad_limits[_i]);
	ck_assert_int_eq(layer_err("x.yaml", yaml, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	ck_assert_msg(strncmp(e.msg, "x.yaml:3:", 9) == 0, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "policy.limits.caps.") != NULL, "%s",
	              e.msg);
	ck_assert_uint_eq(pol.nlayers, 0);
}
END_TEST

START_TEST(certification_tightens)
{
	layer("a.yaml",
	      "policy:\n  certification: {minimum: 2, mode: strict}\n");
	layer("b.yaml",
	      "policy:\n  certification: {minimum: 1, mode: disabled}\n");
	ck_assert_uint_eq(pol.cert_min, 2);
	ck_assert_int_eq(pol.cert_mode, MCP_CERT_STRICT);
	ck_assert_uint_eq(pol.nwarnings, 2);
	layer("c.yaml", "policy:\n  certification: {minimum: 3}\n");
	ck_assert_uint_eq(pol.cert_min, 3);
}
END_TEST

START_TEST(certification_first_may_disable)
{
	layer("a.yaml", "policy:\n  certification: {mode: disabled}\n");
	ck_assert_int_eq(pol.cert_mode, MCP_CERT_DISABLED);
	layer("b.yaml", "policy:\n  certification: {mode: warn}\n");
	ck_assert_int_eq(pol.cert_mode, MCP_CERT_WARN);
	ck_assert_uint_eq(pol.nwarnings, 0);
}
END_TEST

START_TEST(status_intersect_warn_union)
{
	layer("a.yaml", "policy:\n  status:\n    allow: [published, draft]\n"
	                "    warn: [draft]\n");
	ck_assert_uint_eq(pol.status_allow,
	                  1u << MCP_STATUS_PUBLISHED | 1u << MCP_STATUS_DRAFT);
	ck_assert_uint_eq(pol.status_warn, 1u << MCP_STATUS_DRAFT);
	layer("b.yaml", "policy:\n  status:\n    allow: [published, revoked]\n"
	                "    warn: [published]\n");
	ck_assert_uint_eq(pol.status_allow, 1u << MCP_STATUS_PUBLISHED);
	ck_assert_uint_eq(pol.status_warn,
	                  1u << MCP_STATUS_DRAFT | 1u << MCP_STATUS_PUBLISHED);
	ck_assert(has_warning("b.yaml:3: policy.status.allow: revoked not "
	                      "allowed by a.yaml:3; ignored"));
}
END_TEST

START_TEST(network_mode_strictest)
{
	layer("a.yaml", "policy:\n  network: {mode: allowlist}\n");
	layer("b.yaml", "policy:\n  network: {mode: host}\n");
	ck_assert_int_eq(pol.net_mode, MCP_NET_ALLOWLIST);
	ck_assert(
	    has_warning("policy.network.mode host is looser than allowlist"));
	layer("c.yaml", "policy:\n  network: {mode: none}\n");
	ck_assert_int_eq(mcp_policy_net_mode(&pol), MCP_NET_NONE);
}
END_TEST

START_TEST(network_host_with_list_is_allowlist)
{
	char why[512];
	enum mcp_net_mode m;

	layer("a.yaml", "policy:\n  network: {mode: host}\n");
	ck_assert_int_eq(mcp_policy_net_mode(&pol), MCP_NET_HOST);
	ck_assert_int_eq(
	    mcp_policy_net(&pol, "x.example:1", &m, why, sizeof(why)), 1);
	layer("b.yaml", "policy:\n  network: {allow: [\"a.example:443\"]}\n");
	ck_assert_int_eq(mcp_policy_net_mode(&pol), MCP_NET_ALLOWLIST);
	ck_assert_int_eq(
	    mcp_policy_net(&pol, "x.example:1", &m, why, sizeof(why)), 0);
	ck_assert_int_eq(
	    mcp_policy_net(&pol, "A.Example:443", &m, why, sizeof(why)), 1);
}
END_TEST

static const struct {
	const char *pat, *req;
	int ok;
} net_vectors[] = {
    {"*.example.com:443", "a.example.com:443", 1},
    {"*.example.com:443", "a.b.example.com:443", 1},
    {"*.example.com:443", "example.com:443", 0},
    {"*.example.com:443", "aexample.com:443", 0},
    {"*.example.com:443", "a.example.com:444", 0},
    {"*.example.com:443", "*.example.com:443", 1},
    {"*.example.com:443", "*.a.example.com:443", 1},
    {"*.a.example.com:443", "*.example.com:443", 0},
    {"*.example.com:*", "a.example.com:1", 1},
    {"a.example.com:*", "a.example.com:65535", 1},
    {"a.example.com:443", "b.example.com:443", 0},
    {"a.example.com:443", "*.example.com:443", 0},
    {"192.0.2.1:80", "192.0.2.1:80", 1},
    {"192.0.2.1:80", "192.0.2.10:80", 0},
    {"[2001:db8::1]:443", "[2001:db8::1]:443", 1},
    {"[2001:db8::1]:443", "[2001:db8::2]:443", 0},
};

START_TEST(network_cover)
{
	char yaml[256], why[512];
	enum mcp_net_mode m;

	snprintf(yaml, sizeof(yaml),
	         "policy:\n  network: {mode: allowlist, allow: [\"%s\"]}\n",
	         net_vectors[_i].pat);
	layer("n.yaml", yaml);
	ck_assert_msg(mcp_policy_net(&pol, net_vectors[_i].req, &m, why,
	                             sizeof(why)) == net_vectors[_i].ok,
	              "%s vs %s", net_vectors[_i].pat, net_vectors[_i].req);
}
END_TEST

static const struct {
	const char *s;
	int ok;
} hostports[] = {
    {"a.example:443", 1},
    {"*.example:443", 1},
    {"a:1", 1},
    {"a:65535", 1},
    {"a:65536", 0},
    {"a:0", 0},
    {"a:", 0},
    {"a", 0},
    {":443", 0},
    {"a..b:1", 0},
    {"-a:1", 0},
    {"a-:1", 0},
    {"a b:1", 0},
    {"a:*", 0},
    {"*:443", 0},
    {"::1:443", 0},
    {"[::1]:443", 1},
    {"a.example:0443", 0},
    {"x*.example:443", 0},
    {"a_b:1", 0},
    {"a.example:44a", 0},
};

START_TEST(hostport_syntax)
{
	ck_assert_msg(mcp_policy_hostport_valid(hostports[_i].s) ==
	                  hostports[_i].ok,
	              "%s", hostports[_i].s);
}
END_TEST

START_TEST(subprocess_refusal_stands)
{
	layer("a.yaml", "policy:\n  subprocess: {allow: false}\n");
	layer("b.yaml", "policy:\n  subprocess: {allow: true}\n");
	ck_assert_int_eq(pol.subprocess, 0);
	ck_assert(has_warning("b.yaml:2: policy.subprocess.allow true is "
	                      "looser than false from a.yaml:2; ignored"));
}
END_TEST

START_TEST(subprocess_allow_then_refuse)
{
	layer("a.yaml", "policy:\n  subprocess: {allow: true}\n");
	ck_assert_int_eq(pol.subprocess, 1);
	layer("b.yaml", "policy: {}\n");
	ck_assert_int_eq(pol.subprocess, 1);
	layer("c.yaml", "policy:\n  subprocess: {allow: false}\n");
	ck_assert_int_eq(pol.subprocess, 0);
	ck_assert_uint_eq(pol.nwarnings, 0);
}
END_TEST

START_TEST(ungranted_deny_wins)
{
	layer("a.yaml", "policy:\n  ungranted: drop\n");
	ck_assert_int_eq(pol.ungranted, MCP_UNGRANTED_DROP);
	layer("b.yaml", "policy:\n  ungranted: deny\n");
	ck_assert_int_eq(pol.ungranted, MCP_UNGRANTED_DENY);
	layer("c.yaml", "policy:\n  ungranted: drop\n");
	ck_assert_int_eq(pol.ungranted, MCP_UNGRANTED_DENY);
	ck_assert(has_warning("c.yaml:2: policy.ungranted drop is looser than "
	                      "deny from b.yaml:2; ignored"));
}
END_TEST

START_TEST(packages_layers)
{
	char why[512];

	layer("a.yaml",
	      "policy:\n  packages: {allow: [\"acme/*\", \"x/*\"]}\n");
	layer("b.yaml", "policy:\n  packages: {allow: [\"acme/*\", \"y/*\"], "
	                "deny: [\"acme/bad-*\"]}\n");
	ck_assert_int_eq(
	    mcp_policy_package(&pol, "acme/good", why, sizeof(why)), 1);
	ck_assert_int_eq(
	    mcp_policy_package(&pol, "acme/bad-one", why, sizeof(why)), 0);
	ck_assert_str_eq(
	    why, "matches policy.packages.deny \"acme/bad-*\" at b.yaml:2");
	ck_assert_int_eq(mcp_policy_package(&pol, "x/a", why, sizeof(why)), 0);
	ck_assert_str_eq(why, "not in policy.packages.allow at b.yaml:2");
	ck_assert_int_eq(mcp_policy_package(&pol, "y/a", why, sizeof(why)), 0);
	ck_assert_str_eq(why, "not in policy.packages.allow at a.yaml:2");
}
END_TEST

START_TEST(packages_glob_stops_at_slash)
{
	char why[512];

	layer("a.yaml", "policy:\n  packages: {allow: [\"*\"]}\n");
	ck_assert_int_eq(mcp_policy_package(&pol, "acme/x", why, sizeof(why)),
	                 0);
}
END_TEST

START_TEST(environment_layers)
{
	char why[512];
	int secret;

	layer("a.yaml",
	      "policy:\n  environment: {allow: [\"API_*\", PROXY]}\n");
	layer("b.yaml", "policy:\n  environment: {allow: [PROXY], "
	                "secrets: [API_TOKEN]}\n");
	ck_assert_int_eq(
	    mcp_policy_env(&pol, "PROXY", &secret, why, sizeof(why)), 1);
	ck_assert_int_eq(secret, 0);
	ck_assert_int_eq(
	    mcp_policy_env(&pol, "API_TOKEN", &secret, why, sizeof(why)), 1);
	ck_assert_int_eq(secret, 1);
	ck_assert_int_eq(
	    mcp_policy_env(&pol, "API_URL", &secret, why, sizeof(why)), 0);
	ck_assert_str_eq(
	    why, "not in policy.environment.allow or .secrets at b.yaml:2");
}
END_TEST

static const char *const forbidden_env[] = {
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "DYLD_INSERT_LIBRARIES",
    "GLIBC_TUNABLES",
    "GCONV_PATH",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "NODE_OPTIONS",
    "NODE_PATH",
    "PERL5LIB",
    "PERL5OPT",
    "RUBYOPT",
    "RUBYLIB",
    "BASH_ENV",
    "ENV",
    "IFS",
    "PATH",
    "MALLOC_CHECK_",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    "JAVA_TOOL_OPTIONS",
    "LUA_INIT",
    "LUA_PATH_5_4",
};

START_TEST(environment_forbidden)
{
	char why[512];
	int secret;

	layer("a.yaml", "policy:\n  environment: {allow: [\"*\"], "
	                "secrets: [\"*\"]}\n");
	ck_assert_int_eq(
	    mcp_policy_env(&pol, forbidden_env[_i], &secret, why, sizeof(why)),
	    0);
	ck_assert_ptr_nonnull(strstr(why, "never passed"));
}
END_TEST

START_TEST(environment_plain_names_pass)
{
	ck_assert_int_eq(mcp_policy_env_forbidden("HOME"), 0);
	ck_assert_int_eq(mcp_policy_env_forbidden("API_KEY"), 0);
	ck_assert_int_eq(mcp_policy_env_forbidden("LANG"), 0);
	ck_assert_int_eq(mcp_policy_env_forbidden("XLD_PRELOAD"), 0);
	ck_assert_int_eq(mcp_policy_env_forbidden("PATHS"), 0);
}
END_TEST

START_TEST(filesystem_conflicting_grants)
{
	char why[512];

	layer("a.yaml", "policy:\n  filesystem:\n    allow:\n"
	                "      - {path: /srv, access: rw}\n");
	layer("b.yaml", "policy:\n  filesystem:\n    allow:\n"
	                "      - {path: /srv/data, access: ro}\n"
	                "      - {path: /opt/tools/, access: rx}\n");
	ck_assert_int_eq(
	    mcp_policy_fs(&pol, "/srv/data/x", MCP_ACCESS_R, why, sizeof(why)),
	    1);
	ck_assert_int_eq(mcp_policy_fs(&pol, "/srv/data/x",
	                               MCP_ACCESS_R | MCP_ACCESS_W, why,
	                               sizeof(why)),
	                 0);
	ck_assert_str_eq(
	    why,
	    "no grant for rw access in policy.filesystem.allow at b.yaml:4");
	ck_assert_int_eq(mcp_policy_fs(&pol, "/srv/database", MCP_ACCESS_R, why,
	                               sizeof(why)),
	                 0);
	/* /opt/tools: b grants rx, a says nothing about /opt: refused. */
	ck_assert_int_eq(mcp_policy_fs(&pol, "/opt/tools/bin",
	                               MCP_ACCESS_R | MCP_ACCESS_X, why,
	                               sizeof(why)),
	                 0);
	ck_assert_str_eq(
	    why,
	    "no grant for rx access in policy.filesystem.allow at a.yaml:4");
}
END_TEST

START_TEST(filesystem_access_bits)
{
	char why[512];

	layer("a.yaml", "policy:\n  filesystem:\n    allow:\n"
	                "      - {path: /, access: rwx}\n"
	                "      - {path: /srv}\n");
	ck_assert_int_eq(
	    mcp_policy_fs(&pol, "/x",
	                  MCP_ACCESS_R | MCP_ACCESS_W | MCP_ACCESS_X, why,
	                  sizeof(why)),
	    1);
	ck_assert_int_eq(
	    mcp_policy_fs(&pol, "/proc/1/mem", MCP_ACCESS_R, why, sizeof(why)),
	    0);
	ck_assert_str_eq(why,
	                 "/proc is a kernel interface and is never granted");
	ck_assert_int_eq(
	    mcp_policy_fs(&pol, "/sys", MCP_ACCESS_R, why, sizeof(why)), 0);
	ck_assert_int_eq(
	    mcp_policy_fs(&pol, "/device", MCP_ACCESS_R, why, sizeof(why)), 1);
}
END_TEST

static const struct {
	const char *in, *out;
} norms[] = {
    {"/", "/"},         {"//", "/"},          {"/a/b", "/a/b"},
    {"/a//b/", "/a/b"}, {"/a/./b/.", "/a/b"}, {"/./", "/"},
    {"/a/..", NULL},    {"/../a", NULL},      {"a/b", NULL},
    {"", NULL},         {"/a/...", "/a/..."}, {"/a/..b", "/a/..b"},
};

START_TEST(path_normalise)
{
	char *n = mcp_policy_path_norm(norms[_i].in);

	if (norms[_i].out == NULL)
		ck_assert_msg(n == NULL, "%s -> %s", norms[_i].in, n);
	else
		ck_assert_str_eq(n, norms[_i].out);
	free(n);
}
END_TEST

START_TEST(path_under)
{
	ck_assert_int_eq(mcp_policy_path_under("/srv/data", "/srv"), 1);
	ck_assert_int_eq(mcp_policy_path_under("/srv", "/srv"), 1);
	ck_assert_int_eq(mcp_policy_path_under("/srvx", "/srv"), 0);
	ck_assert_int_eq(mcp_policy_path_under("/anything", "/"), 1);
	ck_assert_int_eq(mcp_policy_path_under("/sr", "/srv"), 0);
}
END_TEST

START_TEST(isolation_merge)
{
	layer("a.yaml", "policy:\n  isolation: {require: [seccomp], "
	                "degrade: [cgroup, landlock, namespaces]}\n");
	layer("b.yaml", "policy:\n  isolation: {require: [landlock], "
	                "degrade: [cgroup, landlock]}\n");
	ck_assert_uint_eq(pol.niso_require, 2);
	ck_assert_str_eq(pol.iso_require[0], "seccomp");
	ck_assert_str_eq(pol.iso_require[1], "landlock");
	ck_assert_uint_eq(pol.niso_degrade, 1);
	ck_assert_str_eq(pol.iso_degrade[0], "cgroup");
}
END_TEST

static const struct {
	const char *yaml, *msg;
} bad_layers[] = {
    {"policy:\n  bogus: 1\n", "x.yaml:2:3: policy: unknown key \"bogus\""},
    {"policy:\n  network: {allow: [a]}\n",
     "x.yaml:2:21: policy.network.allow[0]: \"a\" is not HOST:PORT"},
    {"policy:\n  status: {allow: [live]}\n",
     "x.yaml:2:20: policy.status.allow[0]: \"live\" is not a status"},
    {"policy:\n  subprocess: true\n",
     "x.yaml:2:15: policy.subprocess: must be a mapping"},
    {"policy:\n  subprocess: {allow: \"true\"}\n",
     "x.yaml:2:23: policy.subprocess.allow: must be true or false"},
    {"policy:\n  filesystem: {allow: [{access: ro}]}\n",
     "x.yaml:2:24: policy.filesystem.allow[0]: missing path"},
    {"policy:\n  filesystem: {allow: [{path: /a, mode: ro}]}\n",
     "x.yaml:2:35: policy.filesystem.allow[0]: unknown key \"mode\""},
    {"policy:\n  ungranted: [deny]\n",
     "x.yaml:2:14: policy.ungranted: must be a string"},
    {"policy:\n  environment: {secrets: [\"A-B\"]}\n",
     "x.yaml:2:27: policy.environment.secrets[0]: \"A-B\" is not a variable "
     "name"},
    {"policy:\n  packages: {allow: [\"a b\"]}\n",
     "x.yaml:2:22: policy.packages.allow[0]: \"a b\" is not a package glob"},
    {"policy:\n  certification: {minimum: -1}\n",
     "x.yaml:2:28: policy.certification.minimum: must be an integer"},
    {"policy:\n  isolation: {degrade: [apparmor]}\n",
     "x.yaml:2:25: policy.isolation.degrade[0]: \"apparmor\" is not a layer"},
};

START_TEST(layer_rejects)
{
	struct mcp_err e;

	ck_assert_int_eq(layer_err("x.yaml", bad_layers[_i].yaml, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	ck_assert_msg(
	    strncmp(e.msg, bad_layers[_i].msg, strlen(bad_layers[_i].msg)) == 0,
	    "got \"%s\", want \"%s\"", e.msg, bad_layers[_i].msg);
	/* A failed layer leaves the policy as it was. */
	ck_assert_uint_eq(pol.nlayers, 0);
}
END_TEST

/* ---- spec ---- */

static json_t *
verified(const char *limits, const char *perms)
{
	char buf[4096];
	json_error_t je;
	json_t *j;

	snprintf(
	    buf, sizeof(buf),
	    "{\"kind\":\"mcp.verified/v1\",\"ref\":\"acme/x@1.0.0\","
	    "\"package\":\"acme/x\",\"version\":\"1.0.0\",\"git_sha\":null,"
	    "\"status\":\"published\",\"certification_level\":0,"
	    "\"origin\":null,\"registry\":null,"
	    "\"manifest\":{\"digest\":\"sha256:%064d\"},"
	    "\"bundle\":{\"digest\":\"sha256:%064d\"},"
	    "\"tree\":\"/t\",\"server\":{\"transport\":{\"type\":\"stdio\"},"
	    "\"entrypoint\":{\"argv\":[\"/t/s\"],\"env\":{\"A\":\"1\"},"
	    "\"workdir\":\"w\"},\"permissions\":%s,\"limits\":%s}}",
	    0, 1, perms, limits);
	j = json_loads(buf, 0, &je);
	ck_assert_msg(j != NULL, "%s", je.text);
	return j;
}

START_TEST(spec_limits_clamped)
{
	struct mcp_eval ev;
	struct mcp_err e;
	json_t *in = verified("{\"memory_bytes\":4294967296,\"pids\":3}", "{}");
	json_t *l;

	mcp_err_init(&e);
	mcp_eval_init(&ev);
	ck_assert_int_eq(mcp_spec_build(&pol, in, "in", NULL, &ev, &e), 0);
	ck_assert_int_eq(ev.denied, 0);
	l = json_object_get(ev.doc, "limits");
	ck_assert_int_eq(json_integer_value(json_object_get(l, "memory_bytes")),
	                 2147483648LL);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "pids")), 3);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(l, "cpu_millicores")), 1000);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "timeout_ms")),
	                 28800000);
	ck_assert_str_eq(json_string_value(json_object_get(ev.doc, "kind")),
	                 "mcp.spec/v1");
	ck_assert_str_eq(mcp_doc_str(ev.doc, "process.cwd"), "/t/w");
	/* One warning: the clamp (status published, level 0 >= 0). */
	ck_assert_uint_eq(json_array_size(ev.warnings), 1);
	mcp_eval_release(&ev);
	json_decref(in);
}
END_TEST

START_TEST(spec_never_zero)
{
	struct mcp_eval ev;
	struct mcp_err e;
	json_t *in = verified("{\"fds\":0}", "{}");

	mcp_err_init(&e);
	mcp_eval_init(&ev);
	ck_assert_int_eq(mcp_spec_build(&pol, in, "in", NULL, &ev, &e), -1);
	ck_assert_int_eq(e.cat, MCP_ERR_USAGE);
	ck_assert_str_eq(e.msg,
	                 "in: server.limits.fds: must be a positive integer");
	mcp_eval_release(&ev);
	json_decref(in);
}
END_TEST

START_TEST(spec_denied_lists_all)
{
	struct mcp_eval ev;
	struct mcp_err e;
	json_t *in = verified("{}", "{\"network\":[\"a.example:1\"],"
	                            "\"environment\":[\"X\"],"
	                            "\"subprocess\":true}");

	mcp_err_init(&e);
	mcp_eval_init(&ev);
	ck_assert_int_eq(mcp_spec_build(&pol, in, "in", NULL, &ev, &e), 0);
	ck_assert_int_eq(ev.denied, 1);
	ck_assert_uint_eq(json_array_size(ev.reasons), 3);
	ck_assert_str_eq(json_string_value(json_object_get(ev.doc, "kind")),
	                 "mcp.denied/v1");
	mcp_eval_release(&ev);
	json_decref(in);
}
END_TEST

START_TEST(spec_drop)
{
	struct mcp_eval ev;
	struct mcp_err e;
	json_t *in = verified("{}", "{\"network\":[\"a.example:1\"],"
	                            "\"environment\":[\"X\", \"Y\"]}");
	json_t *proc;

	layer("a.yaml", "policy:\n  ungranted: drop\n  environment: "
	                "{allow: [Y], secrets: [A]}\n");
	mcp_err_init(&e);
	mcp_eval_init(&ev);
	ck_assert_int_eq(mcp_spec_build(&pol, in, "in", NULL, &ev, &e), 0);
	ck_assert_int_eq(ev.denied, 0);
	ck_assert_uint_eq(json_array_size(ev.dropped), 2);
	proc = json_object_get(ev.doc, "process");
	ck_assert_uint_eq(json_array_size(json_object_get(proc, "pass_env")),
	                  1);
	ck_assert_str_eq(json_string_value(json_array_get(
	                     json_object_get(proc, "pass_env"), 0)),
	                 "Y");
	/* The fixed value A stays, not requested from the caller. */
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(proc, "env"), "A")),
	                 "1");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(ev.doc, "network"), "mode")),
	                 "none");
	mcp_eval_release(&ev);
	json_decref(in);
}
END_TEST

/* Build from IN, expect a refusal whose only reason is RULE. */
static void
expect_denied(json_t *in, const char *rule, const char *msg)
{
	struct mcp_eval ev;
	struct mcp_err e;
	json_t *r;

	mcp_err_init(&e);
	mcp_eval_init(&ev);
	ck_assert_int_eq(mcp_spec_build(&pol, in, "in", NULL, &ev, &e), 0);
	ck_assert_int_eq(ev.denied, 1);
	ck_assert_uint_eq(json_array_size(ev.reasons), 1);
	r = json_array_get(ev.reasons, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "rule")), rule);
	ck_assert_str_eq(json_string_value(json_object_get(r, "message")), msg);
	mcp_eval_release(&ev);
	json_decref(in);
}

/* Build from IN, expect a spec with exactly NWARN warnings. */
static void
expect_spec(json_t *in, size_t nwarn)
{
	struct mcp_eval ev;
	struct mcp_err e;

	mcp_err_init(&e);
	mcp_eval_init(&ev);
	ck_assert_int_eq(mcp_spec_build(&pol, in, "in", NULL, &ev, &e), 0);
	ck_assert_int_eq(ev.denied, 0);
	ck_assert_uint_eq(json_array_size(ev.warnings), nwarn);
	mcp_eval_release(&ev);
	json_decref(in);
}

static json_t *
with(json_t *in, const char *key, json_t *v)
{
	ck_assert_int_eq(json_object_set_new(in, key, v), 0);
	return in;
}

START_TEST(rule_status_builtin)
{
	static const char *const refused[] = {
	    "revoked", "quarantined", "draft", "ingested", "scanned", "none"};
	char msg[128];
	size_t i;

	expect_spec(verified("{}", "{}"), 0);
	expect_spec(
	    with(verified("{}", "{}"), "status", json_string("deprecated")), 1);
	expect_spec(with(verified("{}", "{}"), "status", json_null()), 1);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(msg, sizeof(msg),
		         "status %s is not allowed (policy.status.allow, "
		         "built-in)",
		         refused[i]);
		expect_denied(with(verified("{}", "{}"), "status",
		                   json_string(refused[i])),
		              "status", msg);
	}
}
END_TEST

START_TEST(rule_certification_modes)
{
	layer("a.yaml", "policy:\n  certification: {minimum: 2}\n");
	/* Mode warn (built-in): allowed with a warning. */
	expect_spec(
	    with(verified("{}", "{}"), "certification_level", json_integer(1)),
	    1);
	expect_spec(
	    with(verified("{}", "{}"), "certification_level", json_integer(2)),
	    0);
	layer("b.yaml", "policy:\n  certification: {mode: strict}\n");
	expect_denied(
	    with(verified("{}", "{}"), "certification_level", json_null()),
	    "certification",
	    "certification level 0 below minimum 2 (mode strict, "
	    "b.yaml:2)");
}
END_TEST

START_TEST(rule_certification_disabled)
{
	layer("a.yaml", "policy:\n  certification: {minimum: 3, mode: "
	                "disabled}\n");
	expect_spec(verified("{}", "{}"), 0);
}
END_TEST

START_TEST(rule_origin_registry)
{
	layer("a.yaml", "policy:\n  origins: {allow: [none]}\n"
	                "  registries: {allow: [\"file:///srv/*\"]}\n");
	expect_denied(verified("{}", "{}"), "registry",
	              "registry none is not allowed: not in "
	              "policy.registries.allow at a.yaml:3");
	expect_spec(with(verified("{}", "{}"), "registry",
	                 json_string("file:///srv/reg")),
	            0);
}
END_TEST

START_TEST(rule_subprocess)
{
	layer("a.yaml", "policy:\n  subprocess: {allow: true}\n");
	expect_spec(verified("{}", "{\"subprocess\":true}"), 0);
	layer("b.yaml", "policy:\n  subprocess: {allow: false}\n");
	expect_denied(verified("{}", "{\"subprocess\":true}"), "subprocess",
	              "subprocess true requested but not granted: "
	              "policy.subprocess.allow is false (b.yaml:2)");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("policy");
	TCase *t;

	t = tcase_create("merge");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, builtin_values);
	tcase_add_test(t, builtin_grants_nothing);
	tcase_add_test(t, caps_min_over_layers);
	tcase_add_test(t, first_cap_may_raise_builtin);
	tcase_add_test(t, defaults_clamped_to_caps);
	tcase_add_test(t, defaults_last_wins);
	tcase_add_test(t, limit_notations);
	tcase_add_loop_test(t, limit_rejects, 0,
	                    sizeof(bad_limits) / sizeof(bad_limits[0]));
	tcase_add_test(t, certification_tightens);
	tcase_add_test(t, certification_first_may_disable);
	tcase_add_test(t, status_intersect_warn_union);
	tcase_add_test(t, network_mode_strictest);
	tcase_add_test(t, network_host_with_list_is_allowlist);
	tcase_add_test(t, subprocess_refusal_stands);
	tcase_add_test(t, subprocess_allow_then_refuse);
	tcase_add_test(t, ungranted_deny_wins);
	tcase_add_test(t, isolation_merge);
	tcase_add_loop_test(t, layer_rejects, 0,
	                    sizeof(bad_layers) / sizeof(bad_layers[0]));
	suite_add_tcase(s, t);

	t = tcase_create("rules");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, network_cover, 0,
	                    sizeof(net_vectors) / sizeof(net_vectors[0]));
	tcase_add_loop_test(t, hostport_syntax, 0,
	                    sizeof(hostports) / sizeof(hostports[0]));
	tcase_add_test(t, packages_layers);
	tcase_add_test(t, packages_glob_stops_at_slash);
	tcase_add_test(t, environment_layers);
	tcase_add_loop_test(t, environment_forbidden, 0,
	                    sizeof(forbidden_env) / sizeof(forbidden_env[0]));
	tcase_add_test(t, environment_plain_names_pass);
	tcase_add_test(t, filesystem_conflicting_grants);
	tcase_add_test(t, filesystem_access_bits);
	tcase_add_loop_test(t, path_normalise, 0,
	                    sizeof(norms) / sizeof(norms[0]));
	tcase_add_test(t, path_under);
	suite_add_tcase(s, t);

	t = tcase_create("spec");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, spec_limits_clamped);
	tcase_add_test(t, spec_never_zero);
	tcase_add_test(t, spec_denied_lists_all);
	tcase_add_test(t, spec_drop);
	tcase_add_test(t, rule_status_builtin);
	tcase_add_test(t, rule_certification_modes);
	tcase_add_test(t, rule_certification_disabled);
	tcase_add_test(t, rule_origin_registry);
	tcase_add_test(t, rule_subprocess);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
