/*
 * check_manifest.c: every manifest rule of FORMATS.md, in both formats.
 * Valid manifests must normalise to exactly the expected "server" member;
 * each invalid one must be refused with a message naming its JSON path.
 */
#include <mcp-config.h>

#include <jansson.h>

#include "manifest.h"
#include "unit.h"

#define D64                                                                    \
	"sha256:"                                                              \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char client_base[] =
    "{\"schema_version\": \"1\","
    " \"package\": {\"id\": \"acme/hello\", \"version\": \"1.0.0\"},"
    " \"bundle\": {\"digest\": \"" D64 "\", \"size_bytes\": 1234},"
    " \"transport\": {\"type\": \"stdio\"},"
    " \"entrypoints\": [{\"os\": \"linux\", \"arch\": \"amd64\","
    "                    \"command\": \"bin/server\", \"args\": [\"--x\"]}]}";

static const char hub_base[] =
    "{\"schema_version\": \"1.0\","
    " \"package\": {\"id\": \"acme/hub\", \"version\": \"2.0.0\"},"
    " \"runtime\": {\"type\": \"node\"},"
    " \"entrypoint\": {\"command\": [\"node\", \"index.js\"]}}";

static json_t *
load(const char *text)
{
	json_error_t je;
	json_t *j =
	    json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);

	ck_assert_msg(j != NULL, "test JSON: %s: %s", je.text, text);
	return j;
}

/*
 * Apply one edit to ROOT: PATH is dotted, numeric parts index arrays;
 * VALUE is JSON text, or NULL to delete the member.
 */
static void
edit(json_t *root, const char *path, const char *value)
{
	char buf[256], *part, *next, *end;
	json_t *cur = root, *child;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = buf; part != NULL; part = next) {
		next = strchr(part, '.');
		if (next != NULL)
			*next++ = '\0';
		if (json_is_array(cur)) {
			size_t i = strtoul(part, &end, 10);

			if (next == NULL) {
				if (value == NULL)
					json_array_remove(cur, i);
				else if (i < json_array_size(cur))
					json_array_set_new(cur, i, load(value));
				else
					json_array_append_new(cur, load(value));
				return;
			}
			cur = json_array_get(cur, i);
			ck_assert_ptr_nonnull(cur);
			continue;
		}
		if (next == NULL) {
			if (value == NULL)
				json_object_del(cur, part);
			else
				json_object_set_new(cur, part, load(value));
			return;
		}
		child = json_object_get(cur, part);
		if (child == NULL) {
			child = json_object();
			json_object_set_new(cur, part, child);
		}
		cur = child;
	}
}

struct vec {
	int hub;
	const char *path;  /* edit of the base manifest */
	const char *value; /* JSON, or NULL to delete */
	const char *want;  /* error message prefix; NULL: valid */
};

/* Every refusal, with the start of its message. */
static const struct vec bad[] = {
    /* schema_version */
    {0, "schema_version", NULL, "schema_version: missing"},
    {0, "schema_version", "\"2\"", "schema_version: unsupported major"},
    {0, "schema_version", "\"2.0\"", "schema_version: unsupported major"},
    {0, "schema_version", "2", "schema_version: unsupported major"},
    {0, "schema_version", "0.9", "schema_version: unsupported major"},
    {0, "schema_version", "\"01\"", "schema_version: must be a version"},
    {0, "schema_version", "\"1.x\"", "schema_version: must be a version"},
    {0, "schema_version", "\"1.\"", "schema_version: must be a version"},
    {0, "schema_version", "\"1.2.3.4\"", "schema_version: must be a version"},
    {0, "schema_version", "\"\"", "schema_version: must be a version"},
    {0, "schema_version", "true",
     "schema_version: must be a string or a number"},
    {1, "schema_version", "\"3\"", "schema_version: unsupported major"},
    /* package */
    {0, "package", NULL, "package: missing"},
    {0, "package", "[]", "package: must be an object, not an array"},
    {0, "package.id", NULL, "package.id: missing"},
    {0, "package.id", "\"acme\"", "package.id: must be ORG/NAME"},
    {0, "package.id", "\"acme/he llo\"", "package.id: must be ORG/NAME"},
    {0, "package.id", "\"a/b/c\"", "package.id: must be ORG/NAME"},
    {0, "package.id", "5", "package.id: must be a string, not an integer"},
    {0, "package.version", "\"\"", "package.version: must not be empty"},
    {0, "package.version", "\"1.0\"", "package.version: must be a semantic"},
    {0, "package.version", "1", "package.version: must be a string"},
    {0, "package.git_sha", "\"abc\"", "package.git_sha: must be 40"},
    {0, "package.git_sha", "\"0123456789ABCDEF0123456789abcdef01234567\"",
     "package.git_sha: must be 40"},
    {0, "package.git_sha", "7", "package.git_sha: must be a string"},
    {1, "package.id", "\"x\"", "package.id: must be ORG/NAME"},
    {1, "package.keywords", "\"a\"", "package.keywords: must be an array"},
    {1, "package.license", "1", "package.license: must be a string"},
    /* bundle (client) */
    {0, "bundle", NULL, "bundle: missing"},
    {0, "bundle.digest", "\"sha256:abc\"", "bundle.digest: must be sha256:"},
    {0, "bundle.digest",
     "\"sha512:"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",
     "bundle.digest: must be sha256:"},
    {0, "bundle.size_bytes", NULL, "bundle.size_bytes: missing"},
    {0, "bundle.size_bytes", "0", "bundle.size_bytes: must be greater than 0"},
    {0, "bundle.size_bytes", "-5", "bundle.size_bytes: must be greater than 0"},
    {0, "bundle.size_bytes", "1.5",
     "bundle.size_bytes: must be an integer, not a fractional"},
    {0, "bundle.size_bytes", "1.0",
     "bundle.size_bytes: must be an integer, not a fractional"},
    {0, "bundle.size_bytes", "\"5\"",
     "bundle.size_bytes: must be an integer, not a string"},
    /* transport (client) */
    {0, "transport", NULL, "transport: missing"},
    {0, "transport.type", "\"ws\"", "transport.type: must be stdio or http"},
    {0, "transport.type", "\"http\"", "transport.port: missing"},
    /* entrypoints (client) */
    {0, "entrypoints", NULL, "entrypoints: missing"},
    {0, "entrypoints", "[]", "entrypoints: must not be empty"},
    {0, "entrypoints", "{}", "entrypoints: must be an array, not an object"},
    {0, "entrypoints.0", "1", "entrypoints[0]: must be an object"},
    {0, "entrypoints.0.os", "\"plan9\"",
     "entrypoints[0].os: must be linux, darwin or windows"},
    {0, "entrypoints.0.os", NULL, "entrypoints[0].os: missing"},
    {0, "entrypoints.0.arch", "\"x86\"",
     "entrypoints[0].arch: must be amd64 or arm64"},
    {0, "entrypoints.1",
     "{\"os\": \"linux\", \"arch\": \"x86\", \"command\": \"x\"}",
     "entrypoints[1].arch: must be amd64 or arm64"},
    {0, "entrypoints.1",
     "{\"os\": \"darwin\", \"arch\": \"arm64\", \"command\": \"\"}",
     "entrypoints[1].command: must not be empty"},
    {0, "entrypoints.1",
     "{\"os\": \"darwin\", \"arch\": \"arm64\", \"command\": \"x\", \"args\": "
     "[1]}",
     "entrypoints[1].args[0]: must be a string, not an integer"},
    {0, "entrypoints.1",
     "{\"os\": \"linux\", \"arch\": \"amd64\", \"command\": \"y\"}",
     "entrypoints[1]: a second entrypoint for linux/amd64"},
    {0, "entrypoints.0.arch", "\"arm64\"",
     "entrypoints: no entrypoint for linux/amd64"},
    {0, "entrypoints.0.os", "\"darwin\"",
     "entrypoints: no entrypoint for linux/amd64"},
    {0, "entrypoints.0.command", NULL, "entrypoints[0].command: missing"},
    {0, "entrypoints.0.command", "\"\"",
     "entrypoints[0].command: must not be empty"},
    {0, "entrypoints.0.command", "[\"x\"]",
     "entrypoints[0].command: must be a string"},
    {0, "entrypoints.0.command", "\"npx\"",
     "entrypoints[0].command: \"npx\" is a package runner"},
    {0, "entrypoints.0.command", "\"uvx\"",
     "entrypoints[0].command: \"uvx\" is a package runner"},
    {0, "entrypoints.0.command", "\"uv\"",
     "entrypoints[0].command: \"uv\" is a package runner"},
    {0, "entrypoints.0.command", "\"pip\"",
     "entrypoints[0].command: \"pip\" is a package runner"},
    {0, "entrypoints.0.command", "\"pip3\"",
     "entrypoints[0].command: \"pip3\" is a package runner"},
    {0, "entrypoints.0.command", "\"pnpm\"",
     "entrypoints[0].command: \"pnpm\" is a package runner"},
    {0, "entrypoints.0.command", "\"yarn\"",
     "entrypoints[0].command: \"yarn\" is a package runner"},
    {0, "entrypoints.0.command", "\"bunx\"",
     "entrypoints[0].command: \"bunx\" is a package runner"},
    {0, "entrypoints.0.command", "\"/bin/sh\"",
     "entrypoints[0].command: must be relative to the bundle root"},
    {0, "entrypoints.0.command", "\"../x\"",
     "entrypoints[0].command: leaves the bundle"},
    {0, "entrypoints.0.command", "\"a/../b\"",
     "entrypoints[0].command: leaves the bundle"},
    {0, "entrypoints.0.command", "\"./\"",
     "entrypoints[0].command: does not name a file"},
    {0, "entrypoints.0.command", "\"a\\u0001b\"",
     "entrypoints[0].command: contains control characters"},
    {0, "entrypoints.0.command", "\"a\\u009bb\"",
     "entrypoints[0].command: contains control characters"},
    {0, "entrypoints.0.args", "\"--x\"",
     "entrypoints[0].args: must be an array"},
    {0, "entrypoints.0.args.1", "null",
     "entrypoints[0].args[1]: must be a string, not null"},
    /* permissions_requested (client) */
    {0, "permissions_requested", "\"all\"",
     "permissions_requested: must be an object, not a string"},
    {0, "permissions_requested.network", "\"x:1\"",
     "permissions_requested.network: must be an array"},
    {0, "permissions_requested.network", "[\"example.com\"]",
     "permissions_requested.network[0]: must be host:port"},
    {0, "permissions_requested.network", "[\":443\"]",
     "permissions_requested.network[0]: must be host:port"},
    {0, "permissions_requested.network", "[\"a.com:0\"]",
     "permissions_requested.network[0]: port must be"},
    {0, "permissions_requested.network", "[\"a.com:65536\"]",
     "permissions_requested.network[0]: port must be"},
    {0, "permissions_requested.network", "[\"a.com:99999999999999999999\"]",
     "permissions_requested.network[0]: port must be"},
    {0, "permissions_requested.network", "[\"a.com:-1\"]",
     "permissions_requested.network[0]: port must be"},
    {0, "permissions_requested.network", "[\"a.com:\"]",
     "permissions_requested.network[0]: port must be"},
    {0, "permissions_requested.network", "[\"ok.com:1\", \"exa mple.com:80\"]",
     "permissions_requested.network[1]: host must be a DNS name"},
    {0, "permissions_requested.network", "[\"a.*.com:80\"]",
     "permissions_requested.network[0]: host must be a DNS name"},
    {0, "permissions_requested.network", "[\"-bad.com:80\"]",
     "permissions_requested.network[0]: host has an empty or malformed label"},
    {0, "permissions_requested.network", "[\"bad-.com:80\"]",
     "permissions_requested.network[0]: host has an empty or malformed label"},
    {0, "permissions_requested.network", "[\"a..com:80\"]",
     "permissions_requested.network[0]: host has an empty or malformed label"},
    {0, "permissions_requested.network", "[\"*.:80\"]",
     "permissions_requested.network[0]: host"},
    {0, "permissions_requested.network",
     "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com:"
     "80\"]",
     "permissions_requested.network[0]: host has a label longer than 63"},
    {0, "permissions_requested.network", "[5]",
     "permissions_requested.network[0]: must be a string"},
    {0, "permissions_requested.environment", "[\"1ABC\"]",
     "permissions_requested.environment[0]: must be a variable name"},
    {0, "permissions_requested.environment", "[\"A-B\"]",
     "permissions_requested.environment[0]: must be a variable name"},
    {0, "permissions_requested.environment", "[\"\"]",
     "permissions_requested.environment[0]: must be a variable name"},
    {0, "permissions_requested.subprocess", "\"false\"",
     "permissions_requested.subprocess: must be a boolean, not a string"},
    {0, "permissions_requested.subprocess", "0",
     "permissions_requested.subprocess: must be a boolean, not an integer"},
    {0, "permissions_requested.filesystem", "\"data\"",
     "permissions_requested.filesystem: must be an array"},
    {0, "permissions_requested.filesystem", "[\"data\", \"../x\"]",
     "permissions_requested.filesystem[1]: leaves the bundle"},
    {0, "permissions_requested.filesystem", "[\"a/../../x:rw\"]",
     "permissions_requested.filesystem[0]: leaves the bundle"},
    {0, "permissions_requested.filesystem", "[\"/etc/../root\"]",
     "permissions_requested.filesystem[0]: must not contain \"..\""},
    {0, "permissions_requested.filesystem", "[\"\"]",
     "permissions_requested.filesystem[0]: must not be empty"},
    {0, "permissions_requested.filesystem", "[\"a\\u001bb\"]",
     "permissions_requested.filesystem[0]: contains control characters"},
    {0, "permissions_requested.filesystem", "[true]",
     "permissions_requested.filesystem[0]: must be a string, not a boolean"},
    /* limits_recommended (client) */
    {0, "limits_recommended", "[]", "limits_recommended: must be an object"},
    {0, "limits_recommended.max_cpu", "0",
     "limits_recommended.max_cpu: must be greater than 0"},
    {0, "limits_recommended.max_cpu", "-1",
     "limits_recommended.max_cpu: must be greater than 0"},
    {0, "limits_recommended.max_cpu", "1.5",
     "limits_recommended.max_cpu: must be an integer, not a fractional"},
    {0, "limits_recommended.max_cpu", "1e3",
     "limits_recommended.max_cpu: must be an integer, not a fractional"},
    {0, "limits_recommended.max_cpu", "1000001",
     "limits_recommended.max_cpu: must be at most 1000000"},
    {0, "limits_recommended.max_cpu", "\"500\"",
     "limits_recommended.max_cpu: must be an integer, not a string"},
    {0, "limits_recommended.max_memory", "512",
     "limits_recommended.max_memory: must be a string"},
    {0, "limits_recommended.max_memory", "\"0M\"",
     "limits_recommended.max_memory: must be a positive"},
    {0, "limits_recommended.max_memory", "\"1000\"",
     "limits_recommended.max_memory: must be a positive"},
    {0, "limits_recommended.max_memory", "\"1T\"",
     "limits_recommended.max_memory: must be a positive"},
    {0, "limits_recommended.max_memory", "\"1.5G\"",
     "limits_recommended.max_memory: must be a positive"},
    {0, "limits_recommended.max_memory", "\"-1M\"",
     "limits_recommended.max_memory: must be a positive"},
    {0, "limits_recommended.max_memory", "\"17179869184G\"",
     "limits_recommended.max_memory: must be a positive"},
    {0, "limits_recommended.max_memory", "\"8589934592G\"",
     "limits_recommended.max_memory: is too large"},
    {0, "limits_recommended.max_pids", "0",
     "limits_recommended.max_pids: must be greater than 0"},
    {0, "limits_recommended.max_pids", "4194305",
     "limits_recommended.max_pids: must be at most"},
    {0, "limits_recommended.max_fds", "-1",
     "limits_recommended.max_fds: must be greater than 0"},
    {0, "limits_recommended.max_fds", "1073741817",
     "limits_recommended.max_fds: must be at most"},
    {0, "limits_recommended.max_fds", "true",
     "limits_recommended.max_fds: must be an integer, not a boolean"},
    {0, "limits_recommended.timeout", "300",
     "limits_recommended.timeout: must be a string"},
    {0, "limits_recommended.timeout", "\"5x\"",
     "limits_recommended.timeout: must be a positive duration"},
    {0, "limits_recommended.timeout", "\"0s\"",
     "limits_recommended.timeout: must be a positive duration"},
    {0, "limits_recommended.timeout", "\"5m1h\"",
     "limits_recommended.timeout: must be a positive duration"},
    {0, "limits_recommended.timeout", "\"99999999999999999999h\"",
     "limits_recommended.timeout: must be a positive duration"},
    /* hub: runtime and entrypoint */
    {1, "runtime", "\"node\"", "runtime: must be an object, not a string"},
    {1, "runtime.type", "1", "runtime.type: must be a string"},
    {1, "runtime.platform", "\"linux\"", "runtime.platform: must be an object"},
    {1, "runtime.platform.os", "\"beos\"",
     "runtime.platform.os: must be linux, darwin or windows"},
    {1, "runtime.platform.arch", "\"ppc\"",
     "runtime.platform.arch: must be amd64 or arm64"},
    {1, "runtime.platform.arch", "\"arm64\"",
     "runtime.platform: no entrypoint for linux/amd64 (the package is for "
     "linux/arm64)"},
    {1, "runtime.platform.os", "\"windows\"",
     "runtime.platform: no entrypoint for linux/amd64"},
    {1, "entrypoint", NULL, "entrypoint: missing"},
    {1, "entrypoint.command", NULL, "entrypoint.command: missing"},
    {1, "entrypoint.command", "\"node index.js\"",
     "entrypoint.command: must be an array, not a string"},
    {1, "entrypoint.command", "[]", "entrypoint.command: must not be empty"},
    {1, "entrypoint.command", "[1]",
     "entrypoint.command[0]: must be a string, not an integer"},
    {1, "entrypoint.command", "[\"node\", 2]",
     "entrypoint.command[1]: must be a string"},
    {1, "entrypoint.command", "[\"npx\", \"-y\", \"pkg\"]",
     "entrypoint.command[0]: \"npx\" is a package runner"},
    {1, "entrypoint.command", "[\"/usr/bin/node\"]",
     "entrypoint.command[0]: must be relative"},
    {1, "entrypoint.command", "[\"../node\"]",
     "entrypoint.command[0]: leaves the bundle"},
    {1, "entrypoint.args", "[true]",
     "entrypoint.args[0]: must be a string, not a boolean"},
    {1, "entrypoint.args", "{}", "entrypoint.args: must be an array"},
    {1, "entrypoint.env", "[]", "entrypoint.env: must be an object"},
    {1, "entrypoint.env", "{\"1X\": \"a\"}",
     "entrypoint.env.1X: must be a variable name"},
    {1, "entrypoint.env", "{\"A\": 1}",
     "entrypoint.env.A: must be a string, not an integer"},
    {1, "entrypoint.workdir", "\"../x\"",
     "entrypoint.workdir: leaves the bundle"},
    {1, "entrypoint.workdir", "\"/srv\"",
     "entrypoint.workdir: must be relative"},
    {1, "entrypoint.workdir", "3", "entrypoint.workdir: must be a string"},
    /* hub: permissions */
    {1, "permissions", "[]", "permissions: must be an object"},
    {1, "permissions.network", "[\"a.com:1\"]",
     "permissions.network: must be an object, not an array"},
    {1, "permissions.network.outbound", "[\"bad\"]",
     "permissions.network.outbound[0]: must be host:port"},
    {1, "permissions.network.inbound", "\"yes\"",
     "permissions.network.inbound: must be a boolean"},
    {1, "permissions.filesystem", "[]",
     "permissions.filesystem: must be an object"},
    {1, "permissions.filesystem.read", "[\"../x\"]",
     "permissions.filesystem.read[0]: leaves the bundle"},
    {1, "permissions.filesystem.write", "[\"/a/../b\"]",
     "permissions.filesystem.write[0]: must not contain"},
    {1, "permissions.filesystem.execute", "[1]",
     "permissions.filesystem.execute[0]: must be a string"},
    {1, "permissions.env_vars", "[\"A-B\"]",
     "permissions.env_vars[0]: must be a variable name"},
    {1, "permissions.subprocess", "\"no\"",
     "permissions.subprocess: must be a boolean, not a string"},
    /* hub: resources */
    {1, "resources", "1", "resources: must be an object"},
    {1, "resources.cpu_millicores", "1.5",
     "resources.cpu_millicores: must be an integer, not a fractional"},
    {1, "resources.cpu_millicores", "0",
     "resources.cpu_millicores: must be greater than 0"},
    {1, "resources.memory_mb", "0",
     "resources.memory_mb: must be greater than 0"},
    {1, "resources.memory_mb", "8796093022208",
     "resources.memory_mb: must be at most 8796093022207"},
    {1, "resources.memory_mb", "9223372036854775807",
     "resources.memory_mb: must be at most"},
    {1, "resources.memory_mb", "\"512\"",
     "resources.memory_mb: must be an integer, not a string"},
    {1, "resources.timeout_seconds", "9223372036854776",
     "resources.timeout_seconds: must be at most 9223372036854775"},
    {1, "resources.timeout_seconds", "-1",
     "resources.timeout_seconds: must be greater than 0"},
    {1, "resources.max_pids", "0",
     "resources.max_pids: must be greater than 0"},
    {1, "resources.max_fds", "\"x\"", "resources.max_fds: must be an integer"},
    {1, "certification.level", "7",
     "certification.level: must be an integer 0-3"},
    {1, "certification", "\"high\"", "certification: must be an object"},
};

static int
parse(const json_t *root, const char *arch, const char *const *interp,
      struct mcp_manifest *m, struct mcp_err *e)
{
	mcp_manifest_init(m);
	mcp_err_init(e);
	return mcp_manifest_parse(root, "linux", arch, interp, m, e);
}

START_TEST(test_refused)
{
	const struct vec *v = &bad[_i];
	json_t *root = load(v->hub ? hub_base : client_base);
	struct mcp_manifest m;
	struct mcp_err e;
	int rc;

	edit(root, v->path, v->value);
	rc = parse(root, "amd64", NULL, &m, &e);
	ck_assert_msg(rc == -1, "accepted: %s = %s", v->path,
	              v->value ? v->value : "(deleted)");
	ck_assert_int_eq(e.cat, MCP_ERR_VERIFY);
	ck_assert_msg(strncmp(e.msg, v->want, strlen(v->want)) == 0,
	              "%s = %s: got \"%s\", want \"%s...\"", v->path,
	              v->value ? v->value : "(deleted)", e.msg, v->want);
	mcp_manifest_release(&m);
	json_decref(root);
}
END_TEST

/* Parse TEXT with one edit and compare the server member with WANT. */
static void
expect_server(const char *text, const char *path, const char *value,
              const char *arch, const char *want)
{
	json_t *root = load(text), *w = load(want);
	struct mcp_manifest m;
	struct mcp_err e;
	char *got;

	if (path != NULL)
		edit(root, path, value);
	ck_assert_msg(parse(root, arch, NULL, &m, &e) == 0, "refused: %s",
	              e.msg);
	got = json_dumps(m.server, JSON_SORT_KEYS | JSON_COMPACT);
	ck_assert_msg(json_equal(m.server, w), "server: %s", got);
	free(got);
	mcp_manifest_release(&m);
	json_decref(root);
	json_decref(w);
}

START_TEST(test_client_minimal)
{
	expect_server(
	    client_base, NULL, NULL, "amd64",
	    "{\"transport\": {\"type\": \"stdio\"},"
	    " \"entrypoint\": {\"os\": \"linux\", \"arch\": \"amd64\","
	    "  \"command\": \"bin/server\", \"args\": [\"--x\"],"
	    "  \"env\": {}, \"workdir\": \".\"},"
	    " \"permissions\": {\"network\": [], \"environment\": [],"
	    "  \"subprocess\": false, \"filesystem\": []},"
	    " \"limits\": {}}");
}
END_TEST

START_TEST(test_client_full)
{
	json_t *root = load(client_base);
	struct mcp_manifest m;
	struct mcp_err e;
	json_t *want;

	edit(root, "package.git_sha",
	     "\"0123456789abcdef0123456789abcdef01234567\"");
	edit(root, "transport", "{\"type\": \"http\", \"port\": 8080}");
	edit(root, "permissions_requested",
	     "{\"network\": [\"API.Example.com:443\", \"*.cdn.example:80\", "
	     "\"10.0.0.1:5432\"],"
	     " \"environment\": [\"API_KEY\", \"_x1\"], \"subprocess\": true,"
	     " \"filesystem\": [\"data\", \"./a//b/../c:rw\", \"/etc/ssl:ro\", "
	     "\"/\", \".\"]}");
	edit(root, "limits_recommended",
	     "{\"max_cpu\": 1000000, \"max_memory\": \"2Gi\", \"max_pids\": "
	     "4194304,"
	     " \"max_fds\": 1073741816, \"timeout\": \"1h30m\", \"unknown\": "
	     "1}");
	edit(root, "unknown_top_level", "{\"ignored\": [1, 2]}");
	ck_assert_msg(parse(root, "amd64", NULL, &m, &e) == 0, "%s", e.msg);
	want = load(
	    "{\"transport\": {\"type\": \"http\", \"port\": 8080},"
	    " \"entrypoint\": {\"os\": \"linux\", \"arch\": \"amd64\","
	    "  \"command\": \"bin/server\", \"args\": [\"--x\"],"
	    "  \"env\": {}, \"workdir\": \".\"},"
	    " \"permissions\": {\"network\": [\"api.example.com:443\","
	    "  \"*.cdn.example:80\", \"10.0.0.1:5432\"],"
	    "  \"environment\": [\"API_KEY\", \"_x1\"], \"subprocess\": true,"
	    "  \"filesystem\": [{\"path\": \"data\", \"access\": \"ro\"},"
	    "   {\"path\": \"a/c\", \"access\": \"rw\"},"
	    "   {\"path\": \"/etc/ssl\", \"access\": \"ro\"},"
	    "   {\"path\": \"/\", \"access\": \"ro\"},"
	    "   {\"path\": \".\", \"access\": \"ro\"}]},"
	    " \"limits\": {\"cpu_millicores\": 1000000,"
	    "  \"memory_bytes\": 2147483648, \"pids\": 4194304,"
	    "  \"fds\": 1073741816, \"timeout_ms\": 5400000}}");
	ck_assert(json_equal(m.server, want));
	ck_assert_int_eq(m.format, MCP_MANIFEST_CLIENT);
	ck_assert_str_eq(m.schema_version, "1");
	ck_assert_str_eq(m.package, "acme/hello");
	ck_assert_str_eq(m.version, "1.0.0");
	ck_assert_str_eq(m.git_sha, "0123456789abcdef0123456789abcdef01234567");
	ck_assert_str_eq(m.bundle_digest, D64);
	ck_assert_uint_eq(m.bundle_size, 1234);
	ck_assert_str_eq(m.command_path, "bin/server");
	ck_assert_ptr_null(m.interpreter);
	ck_assert_str_eq(m.workdir, ".");
	ck_assert_str_eq(m.command_at, "entrypoints[0].command");
	json_decref(want);
	mcp_manifest_release(&m);
	json_decref(root);
}
END_TEST

START_TEST(test_hub_full)
{
	json_t *root = load(hub_base);
	struct mcp_manifest m;
	struct mcp_err e;
	json_t *want;

	edit(root, "package.description", "\"hello\"");
	edit(root, "package.keywords", "[\"a\"]");
	edit(root, "runtime.platform",
	     "{\"os\": \"linux\", \"arch\": \"arm64\"}");
	edit(root, "entrypoint.args", "[\"--port\", \"0\"]");
	edit(root, "entrypoint.env", "{\"MODE\": \"prod\", \"_A\": \"\"}");
	edit(root, "entrypoint.workdir", "\"./srv/\"");
	edit(root, "permissions",
	     "{\"network\": {\"outbound\": [\"a.com:443\"], \"inbound\": true},"
	     " \"filesystem\": {\"read\": [\"/data\"], \"write\": [\"out\"],"
	     "  \"execute\": [\"bin\"]},"
	     " \"env_vars\": [\"TOKEN\"], \"subprocess\": true}");
	edit(root, "resources",
	     "{\"cpu_millicores\": 250, \"memory_mb\": 8796093022207,"
	     " \"timeout_seconds\": 9223372036854775, \"max_pids\": 16, "
	     "\"max_fds\": 64}");
	edit(root, "certification", "{\"level\": 3, \"score\": 97.5}");
	ck_assert_msg(parse(root, "arm64", NULL, &m, &e) == 0, "%s", e.msg);
	want =
	    load("{\"transport\": {\"type\": \"http\"},"
	         " \"entrypoint\": {\"os\": \"linux\", \"arch\": \"arm64\","
	         "  \"command\": \"node\", \"args\": [\"index.js\", "
	         "\"--port\", \"0\"],"
	         "  \"env\": {\"MODE\": \"prod\", \"_A\": \"\"}, \"workdir\": "
	         "\"srv\"},"
	         " \"permissions\": {\"network\": [\"a.com:443\"],"
	         "  \"environment\": [\"TOKEN\"], \"subprocess\": true,"
	         "  \"filesystem\": [{\"path\": \"/data\", \"access\": \"ro\"},"
	         "   {\"path\": \"out\", \"access\": \"rw\"},"
	         "   {\"path\": \"bin\", \"access\": \"rx\"}]},"
	         " \"limits\": {\"cpu_millicores\": 250,"
	         "  \"memory_bytes\": 9223372036853727232, \"pids\": 16,"
	         "  \"fds\": 64, \"timeout_ms\": 9223372036854775000}}");
	ck_assert_msg(json_equal(m.server, want), "%s",
	              json_dumps(m.server, JSON_COMPACT));
	ck_assert_int_eq(m.format, MCP_MANIFEST_HUB);
	ck_assert_str_eq(m.schema_version, "1.0");
	ck_assert_ptr_null(m.bundle_digest);
	ck_assert_str_eq(m.interpreter, "node");
	ck_assert_ptr_null(m.command_path);
	ck_assert_str_eq(m.workdir, "srv");
	ck_assert_str_eq(m.command_at, "entrypoint.command[0]");
	json_decref(want);
	mcp_manifest_release(&m);
	json_decref(root);
}
END_TEST

START_TEST(test_hub_defaults)
{
	/* No platform means linux/amd64; absent permissions grant nothing
	 * and subprocess fails closed. */
	expect_server(
	    hub_base, NULL, NULL, "amd64",
	    "{\"transport\": {\"type\": \"stdio\"},"
	    " \"entrypoint\": {\"os\": \"linux\", \"arch\": \"amd64\","
	    "  \"command\": \"node\", \"args\": [\"index.js\"],"
	    "  \"env\": {}, \"workdir\": \".\"},"
	    " \"permissions\": {\"network\": [], \"environment\": [],"
	    "  \"subprocess\": false, \"filesystem\": []},"
	    " \"limits\": {}}");
}
END_TEST

START_TEST(test_memory_units)
{
	static const struct {
		const char *s;
		const char *bytes;
	} v[] = {{"1K", "1024"},        {"1Ki", "1024"},
	         {"512M", "536870912"}, {"512Mi", "536870912"},
	         {"1G", "1073741824"},  {"8589934591G", "9223372035781033984"}};
	char val[64], want[512];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(val, sizeof(val), "{\"max_memory\": \"%s\"}", v[i].s);
		snprintf(
		    want, sizeof(want),
		    "{\"transport\": {\"type\": \"stdio\"},"
		    " \"entrypoint\": {\"os\": \"linux\", \"arch\": \"amd64\","
		    "  \"command\": \"bin/server\", \"args\": [\"--x\"],"
		    "  \"env\": {}, \"workdir\": \".\"},"
		    " \"permissions\": {\"network\": [], \"environment\": [],"
		    "  \"subprocess\": false, \"filesystem\": []},"
		    " \"limits\": {\"memory_bytes\": %s}}",
		    v[i].bytes);
		expect_server(client_base, "limits_recommended", val, "amd64",
		              want);
	}
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *s;
		const char *ms;
	} v[] = {{"250ms", "250"},
	         {"45s", "45000"},
	         {"5m", "300000"},
	         {"1h30m", "5400000"},
	         {"24h", "86400000"}};
	char val[64], want[512];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(val, sizeof(val), "{\"timeout\": \"%s\"}", v[i].s);
		snprintf(
		    want, sizeof(want),
		    "{\"transport\": {\"type\": \"stdio\"},"
		    " \"entrypoint\": {\"os\": \"linux\", \"arch\": \"amd64\","
		    "  \"command\": \"bin/server\", \"args\": [\"--x\"],"
		    "  \"env\": {}, \"workdir\": \".\"},"
		    " \"permissions\": {\"network\": [], \"environment\": [],"
		    "  \"subprocess\": false, \"filesystem\": []},"
		    " \"limits\": {\"timeout_ms\": %s}}",
		    v[i].ms);
		expect_server(client_base, "limits_recommended", val, "amd64",
		              want);
	}
}
END_TEST

START_TEST(test_schema_versions)
{
	static const struct {
		const char *json;
		const char *norm;
	} v[] = {{"\"1\"", "1"},         {"\"1.0\"", "1.0"},
	         {"\"1.2.3\"", "1.2.3"}, {"1", "1"},
	         {"1.0", "1.0"},         {"1.5", "1.5"},
	         {"\"1.10\"", "1.10"}};
	struct mcp_manifest m;
	struct mcp_err e;
	json_t *root;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		root = load(client_base);
		edit(root, "schema_version", v[i].json);
		ck_assert_msg(parse(root, "amd64", NULL, &m, &e) == 0, "%s: %s",
		              v[i].json, e.msg);
		ck_assert_str_eq(m.schema_version, v[i].norm);
		mcp_manifest_release(&m);
		json_decref(root);
	}
}
END_TEST

START_TEST(test_select_arch)
{
	json_t *root = load(client_base), *ep;
	struct mcp_manifest m;
	struct mcp_err e;

	edit(root, "entrypoints.1",
	     "{\"os\": \"linux\", \"arch\": \"arm64\", \"command\": "
	     "\"arm/server\"}");
	edit(
	    root, "entrypoints.2",
	    "{\"os\": \"windows\", \"arch\": \"amd64\", \"command\": \"npx\"}");
	ck_assert_msg(parse(root, "arm64", NULL, &m, &e) == 0, "%s", e.msg);
	ep = json_object_get(m.server, "entrypoint");
	ck_assert_str_eq(json_string_value(json_object_get(ep, "command")),
	                 "arm/server");
	ck_assert_str_eq(json_string_value(json_object_get(ep, "arch")),
	                 "arm64");
	ck_assert_int_eq(json_array_size(json_object_get(ep, "args")), 0);
	ck_assert_str_eq(m.command_at, "entrypoints[1].command");
	mcp_manifest_release(&m);
	ck_assert_msg(parse(root, "amd64", NULL, &m, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(m.command_path, "bin/server");
	mcp_manifest_release(&m);
	json_decref(root);
}
END_TEST

START_TEST(test_interpreters)
{
	static const char *const only_sh[] = {"sh", NULL};
	json_t *root = load(client_base);
	struct mcp_manifest m;
	struct mcp_err e;
	const char *names[] = {"node", "python3", "python"};
	size_t i;

	for (i = 0; i < 3; i++) {
		char v[32];

		snprintf(v, sizeof(v), "\"%s\"", names[i]);
		edit(root, "entrypoints.0.command", v);
		ck_assert_int_eq(parse(root, "amd64", NULL, &m, &e), 0);
		ck_assert_str_eq(m.interpreter, names[i]);
		ck_assert_ptr_null(m.command_path);
		mcp_manifest_release(&m);
		/* Not in a configured list: then it is a bundle file. */
		ck_assert_int_eq(parse(root, "amd64", only_sh, &m, &e), 0);
		ck_assert_ptr_null(m.interpreter);
		ck_assert_str_eq(m.command_path, names[i]);
		mcp_manifest_release(&m);
	}
	edit(root, "entrypoints.0.command", "\"sh\"");
	ck_assert_int_eq(parse(root, "amd64", only_sh, &m, &e), 0);
	ck_assert_str_eq(m.interpreter, "sh");
	mcp_manifest_release(&m);
	/* A path is never an interpreter, even if its name is one. */
	edit(root, "entrypoints.0.command", "\"./node\"");
	ck_assert_int_eq(parse(root, "amd64", NULL, &m, &e), 0);
	ck_assert_ptr_null(m.interpreter);
	ck_assert_str_eq(m.command_path, "node");
	mcp_manifest_release(&m);
	/* Runners stay refused whatever the configuration says. */
	{
		static const char *const with_npx[] = {"npx", NULL};

		edit(root, "entrypoints.0.command", "\"npx\"");
		ck_assert_int_eq(parse(root, "amd64", with_npx, &m, &e), -1);
		ck_assert_ptr_nonnull(strstr(e.msg, "package runner"));
		mcp_manifest_release(&m);
	}
	json_decref(root);
}
END_TEST

START_TEST(test_relpath)
{
	static const struct {
		const char *in;
		int root, dotdot;
		const char *out; /* NULL: refused */
	} v[] = {
	    {"a", 0, 0, "a"},          {"./a", 0, 0, "a"},
	    {"a//b/", 0, 0, "a/b"},    {"a/./b", 0, 0, "a/b"},
	    {".", 0, 0, NULL},         {".", 1, 0, "."},
	    {"", 1, 0, NULL},          {"/a", 1, 1, NULL},
	    {"..", 1, 1, NULL},        {"a/..", 1, 1, "."},
	    {"a/..", 1, 0, NULL},      {"a/b/../c", 0, 1, "a/c"},
	    {"a/../../b", 0, 1, NULL}, {"a\tb", 0, 0, NULL},
	    {"a\x7f", 0, 0, NULL},     {"...", 0, 0, "..."},
	    {"..a", 0, 0, "..a"},
	};
	const char *why;
	char *got;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got =
		    mcp_manifest_relpath(v[i].in, v[i].root, v[i].dotdot, &why);
		if (v[i].out == NULL)
			ck_assert_msg(got == NULL, "\"%s\" accepted as \"%s\"",
			              v[i].in, got);
		else
			ck_assert_msg(got != NULL && strcmp(got, v[i].out) == 0,
			              "\"%s\": got \"%s\"", v[i].in,
			              got ? got : why);
		free(got);
	}
}
END_TEST

START_TEST(test_not_object)
{
	json_t *root = load("[1]");
	struct mcp_manifest m;
	struct mcp_err e;

	ck_assert_int_eq(parse(root, "amd64", NULL, &m, &e), -1);
	ck_assert_str_eq(e.msg, "(top level): must be an object, not an array");
	mcp_manifest_release(&m);
	json_decref(root);
}
END_TEST

static Suite *
manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");

	tcase_add_loop_test(tc, test_refused, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_client_minimal);
	tcase_add_test(tc, test_client_full);
	tcase_add_test(tc, test_hub_full);
	tcase_add_test(tc, test_hub_defaults);
	tcase_add_test(tc, test_memory_units);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_schema_versions);
	tcase_add_test(tc, test_select_arch);
	tcase_add_test(tc, test_interpreters);
	tcase_add_test(tc, test_relpath);
	tcase_add_test(tc, test_not_object);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(manifest_suite());
}
