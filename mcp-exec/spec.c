/*
 * spec.c: read an mcp.spec/v1 strictly.
 *
 * Invariant: nothing reaches fork() or execve() that was not checked here.
 * A spec is written by mcp-policy, or by hand, or by an attacker who can
 * write the file; every member mcp-exec uses is checked for type, range and
 * shape, and the first bad member is named in the error.
 */
#include <mcp-config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "spec.h"
#include "xalloc.h"

const char *const mcp_spec_layers[] = {
    "fds",      "environment",  "cgroup",   "namespaces",
    "rlimits",  "capabilities", "identity", "no_new_privs",
    "landlock", "seccomp",      "timeout",  NULL,
};

/* Identity members copied into records; strings (or null) when present. */
const char *const mcp_spec_ident[] = {
    "ref",    "package",  "version",         "git_sha",       "status",
    "origin", "registry", "manifest_digest", "bundle_digest", NULL,
};

const char *const mcp_spec_net_names[] = {"none", "allowlist", "host", NULL};

void
mcp_spec_init(struct mcp_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->umask = 077;
}

void
mcp_spec_release(struct mcp_spec *s)
{
	free(s->argv);
	free(s->grants);
	json_decref(s->doc);
	mcp_spec_init(s);
}

int
mcp_spec_env_name_ok(const char *name)
{
	const char *p = name;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	      *p == '_'))
		return 0;
	for (p++; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

/* A JSON string with no embedded NUL (jansson allows "\u0000"). */
static const char *
clean_str(const json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

static int
bad(struct mcp_err *e, const char *label, const char *member, const char *what)
{
	return mcp_err_set(e, MCP_ERR_USAGE, "%s: %s: %s", label, member, what);
}

static int
get_limit(const json_t *limits, const char *name, uint64_t max, uint64_t *out,
          const char *label, struct mcp_err *e)
{
	const json_t *v = json_object_get(limits, name);
	json_int_t n;

	if (v == NULL || !json_is_integer(v) ||
	    (n = json_integer_value(v)) < 1 || (uint64_t)n > max)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: limits.%s: must be an integer between 1 and %llu",
		    label, name, (unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}

static int
parse_limits(struct mcp_spec *s, struct mcp_err *e)
{
	const json_t *l = json_object_get(s->doc, "limits");
	struct spec_limits *o = &s->limits;

	if (!json_is_object(l))
		return bad(e, s->label, "limits", "must be an object");
	if (get_limit(l, "cpu_millicores", SPEC_MAX_MILLICORES,
	              &o->cpu_millicores, s->label, e) < 0 ||
	    get_limit(l, "memory_bytes", SPEC_MAX_MEMORY, &o->memory_bytes,
	              s->label, e) < 0 ||
	    get_limit(l, "pids", SPEC_MAX_PIDS, &o->pids, s->label, e) < 0 ||
	    get_limit(l, "fds", SPEC_MAX_FDS, &o->fds, s->label, e) < 0 ||
	    get_limit(l, "timeout_ms", SPEC_MAX_TIMEOUT_MS, &o->timeout_ms,
	              s->label, e) < 0)
		return -1;
	return 0;
}

static int
parse_argv(struct mcp_spec *s, const json_t *proc, struct mcp_err *e)
{
	const json_t *a = json_object_get(proc, "argv");
	size_t i, n;
	char member[64];

	if (!json_is_array(a) || (n = json_array_size(a)) == 0 ||
	    n > SPEC_MAX_ARGS)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: process.argv: must be an array of 1 to %d strings",
		    s->label, SPEC_MAX_ARGS);
	s->argv = xcalloc(n + 1, sizeof(*s->argv));
	for (i = 0; i < n; i++) {
		snprintf(member, sizeof(member), "process.argv[%zu]", i);
		s->argv[i] = clean_str(json_array_get(a, i));
		if (s->argv[i] == NULL)
			return bad(e, s->label, member,
			           "must be a string without NUL bytes");
	}
	s->argc = n;
	/* execve() without PATH search: the entrypoint is named exactly. */
	if (s->argv[0][0] != '/')
		return bad(e, s->label, "process.argv[0]",
		           "must be an absolute path");
	return 0;
}

static int
parse_env(struct mcp_spec *s, const json_t *proc, struct mcp_err *e)
{
	const char *k;
	json_t *v;
	size_t i, n = 0;
	char member[128];

	s->env = json_object_get(proc, "env");
	if (!json_is_object(s->env))
		return bad(e, s->label, "process.env", "must be an object");
	json_object_foreach(s->env, k, v)
	{
		snprintf(member, sizeof(member), "process.env.%.64s", k);
		if (!mcp_spec_env_name_ok(k))
			return bad(e, s->label, member,
			           "is not a valid variable name");
		if (clean_str(v) == NULL)
			return bad(e, s->label, member,
			           "must be a string without NUL bytes");
		n++;
	}
	s->pass_env = json_object_get(proc, "pass_env");
	if (s->pass_env != NULL) {
		if (!json_is_array(s->pass_env))
			return bad(e, s->label, "process.pass_env",
			           "must be an array of variable names");
		json_array_foreach(s->pass_env, i, v)
		{
			snprintf(member, sizeof(member),
			         "process.pass_env[%zu]", i);
			if (clean_str(v) == NULL ||
			    !mcp_spec_env_name_ok(json_string_value(v)))
				return bad(e, s->label, member,
				           "must be a valid variable name");
		}
		n += json_array_size(s->pass_env);
	}
	s->secrets = json_object_get(proc, "secrets");
	if (s->secrets != NULL) {
		if (!json_is_array(s->secrets))
			return bad(e, s->label, "process.secrets",
			           "must be an array of objects");
		json_array_foreach(s->secrets, i, v)
		{
			const char *name, *as;

			snprintf(member, sizeof(member),
			         "process.secrets[%zu].name", i);
			name = clean_str(json_object_get(v, "name"));
			if (!json_is_object(v) || name == NULL ||
			    !mcp_spec_env_name_ok(name))
				return bad(e, s->label, member,
				           "must be a valid variable name");
			/* "env" (the default) or "file". */
			snprintf(member, sizeof(member),
			         "process.secrets[%zu].as", i);
			as = json_string_value(json_object_get(v, "as"));
			if (json_object_get(v, "as") != NULL &&
			    (as == NULL || (strcmp(as, "env") != 0 &&
			                    strcmp(as, "file") != 0)))
				return bad(e, s->label, member,
				           "must be \"env\" or \"file\"");
			if (as != NULL && strcmp(as, "file") == 0)
				s->nsecret_files++;
		}
		n += json_array_size(s->secrets);
	}
	if (n > SPEC_MAX_ENV)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: process: more than %d environment variables", s->label,
		    SPEC_MAX_ENV);
	return 0;
}

static int
parse_umask(struct mcp_spec *s, const json_t *proc, struct mcp_err *e)
{
	const json_t *v = json_object_get(proc, "umask");
	const char *p = json_string_value(v);
	unsigned m = 0;
	size_t len;

	if (v == NULL)
		return 0; /* documented default 0077 */
	/* Three or four octal digits, the way umask(1) prints it. */
	if (p == NULL || (len = strlen(p)) < 3 || len > 4)
		goto fail;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			goto fail;
		m = m * 8 + (unsigned)(*p - '0');
	}
	if (m > 0777)
		goto fail;
	s->umask = (mode_t)m;
	return 0;
fail:
	return bad(e, s->label, "process.umask",
	           "must be an octal string from \"000\" to \"0777\"");
}

static int
layer_known(const char *name)
{
	size_t i;

	for (i = 0; mcp_spec_layers[i] != NULL; i++)
		if (strcmp(name, mcp_spec_layers[i]) == 0)
			return 1;
	return 0;
}

static int
parse_isolation(struct mcp_spec *s, struct mcp_err *e)
{
	const json_t *iso = json_object_get(s->doc, "isolation");
	const char *lists[] = {"require", "degrade", "disable"};
	char member[64];
	size_t i, j;
	json_t *a, *v;

	if (iso == NULL)
		return 0;
	if (!json_is_object(iso))
		return bad(e, s->label, "isolation", "must be an object");
	for (i = 0; i < 3; i++) {
		a = json_object_get(iso, lists[i]);
		if (a == NULL)
			continue;
		if (!json_is_array(a))
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s: isolation.%s: must be an array of layer names",
			    s->label, lists[i]);
		json_array_foreach(a, j, v)
		{
			snprintf(member, sizeof(member), "isolation.%s[%zu]",
			         lists[i], j);
			if (clean_str(v) == NULL ||
			    !layer_known(json_string_value(v)))
				return bad(e, s->label, member,
				           "is not a layer mcp-exec knows");
			if (i == 2) {
				int l;

				for (l = 0; mcp_spec_layers[l] != NULL; l++)
					if (strcmp(mcp_spec_layers[l],
					           json_string_value(v)) == 0)
						break;
				if (!(SPEC_DISABLEABLE & (1U << l)))
					return bad(
					    e, s->label, member,
					    "only namespaces, landlock and "
					    "seccomp can be disabled");
				s->disable |= 1U << l;
			}
		}
	}
	s->require = json_object_get(iso, "require");
	return 0;
}

static int
parse_identity(struct mcp_spec *s, struct mcp_err *e)
{
	const json_t *v;
	size_t i;

	/* Copied verbatim into the records: keep them to what jq expects. */
	for (i = 0; mcp_spec_ident[i] != NULL; i++) {
		v = json_object_get(s->doc, mcp_spec_ident[i]);
		if (v != NULL && !json_is_null(v) && clean_str(v) == NULL)
			return bad(e, s->label, mcp_spec_ident[i],
			           "must be a string or null");
	}
	v = json_object_get(s->doc, "certification_level");
	if (v != NULL && !json_is_null(v) && !json_is_integer(v))
		return bad(e, s->label, "certification_level",
		           "must be an integer or null");
	return 0;
}

/* An absolute path, no NUL, no "." or ".." component, not "/" alone. */
static int
path_ok(const char *p)
{
	const char *c;

	if (p == NULL || p[0] != '/' || p[1] == '\0' || strlen(p) > 4000)
		return 0;
	for (c = p; *c != '\0'; c++)
		if (c[0] == '/' &&
		    (strncmp(c, "/./", 3) == 0 || strcmp(c, "/.") == 0 ||
		     strncmp(c, "/../", 4) == 0 || strcmp(c, "/..") == 0))
			return 0;
	return 1;
}

static int
parse_fs(struct mcp_spec *s, struct mcp_err *e)
{
	const json_t *fs = json_object_get(s->doc, "filesystem"), *v, *t;
	const char *acc;
	char member[64];
	size_t i;

	t = json_object_get(s->doc, "tree");
	if (t != NULL && !json_is_null(t)) {
		s->tree = clean_str(t);
		if (!path_ok(s->tree))
			return bad(e, s->label, "tree",
			           "must be an absolute path other than /");
	}
	if (fs == NULL)
		return 0;
	if (!json_is_array(fs) || json_array_size(fs) > SPEC_MAX_GRANTS)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: filesystem: must be an array of at "
		                   "most %d grants",
		                   s->label, SPEC_MAX_GRANTS);
	s->grants = xcalloc(json_array_size(fs) + 1, sizeof(*s->grants));
	json_array_foreach(fs, i, v)
	{
		snprintf(member, sizeof(member), "filesystem[%zu]", i);
		s->grants[i].path = clean_str(json_object_get(v, "path"));
		acc = json_string_value(json_object_get(v, "access"));
		if (!json_is_object(v) || !path_ok(s->grants[i].path))
			return bad(e, s->label, member,
			           "path must be an absolute path other than /");
		if (acc == NULL ||
		    (strcmp(acc, "ro") != 0 && strcmp(acc, "rw") != 0))
			return bad(e, s->label, member,
			           "access must be \"ro\" or \"rw\"");
		s->grants[i].rw = strcmp(acc, "rw") == 0;
	}
	s->ngrants = json_array_size(fs);
	return 0;
}

/* Is NAME a DNS host name: labels of 1 to 63 letters, digits and
 * hyphens, not starting or ending with a hyphen, not all digits at the
 * end (an IPv4 address)?  Lowered in place. */
static int
host_name_ok(char *name)
{
	size_t len;
	int digits = 1;
	char *c, *label = name;

	for (c = name;; c++) {
		if (*c == '.' || *c == '\0') {
			len = (size_t)(c - label);
			if (len == 0 || len > 63 || *label == '-' || c[-1] == '-')
				return 0;
			if (*c == '\0')
				return !digits;
			label = c + 1;
			digits = 1;
			continue;
		}
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '-'))
			return 0;
		if (*c < '0' || *c > '9')
			digits = 0;
	}
}

/* Mode allowlist: each entry names a host (the relay resolves it on the
 * host; no wildcard, no address), which gets its loopback address. */
static int
allow_names(struct mcp_spec *s, struct mcp_err *e)
{
	char member[64];
	unsigned next = 2;
	size_t i, j;

	for (i = 0; i < s->nports; i++) {
		snprintf(member, sizeof(member), "network.allow[%zu]", i);
		if (!host_name_ok(s->hosts[i]))
			return bad(e, s->label, member,
			           "with network mode allowlist, the host must "
			           "be a DNS name (no wildcard, no address)");
		for (j = 0; j < i && strcmp(s->hosts[j], s->hosts[i]) != 0;
		     j++)
			continue;
		s->host_octet[i] =
		    j < i ? s->host_octet[j] : (unsigned char)next++;
	}
	return 0;
}

static int
parse_net(struct mcp_spec *s, struct mcp_err *e)
{
	const json_t *n = json_object_get(s->doc, "network"), *m, *sp, *tp;
	const char *mode;
	char member[64];
	json_t *a, *v;
	size_t i;

	s->net = NET_NONE;
	sp = json_object_get(s->doc, "subprocess");
	if (sp != NULL && !json_is_boolean(sp))
		return bad(e, s->label, "subprocess", "must be true or false");
	s->subprocess = json_is_true(sp);
	if ((tp = json_object_get(json_object_get(s->doc, "transport"),
	                          "port")) != NULL) {
		if (!json_is_integer(tp) || json_integer_value(tp) < 1 ||
		    json_integer_value(tp) > 65535)
			return bad(e, s->label, "transport.port",
			           "must be an integer from 1 to 65535");
		s->bind_port = (unsigned short)json_integer_value(tp);
	}
	if (n == NULL)
		return 0;
	if (!json_is_object(n))
		return bad(e, s->label, "network", "must be an object");
	a = json_object_get(n, "allow");
	if (a != NULL && (!json_is_array(a) ||
	                  json_array_size(a) > SPEC_MAX_PORTS))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: network.allow: must be an array of at "
		                   "most %d \"host:port\" strings",
		                   s->label, SPEC_MAX_PORTS);
	json_array_foreach(a, i, v)
	{
		const char *hp = clean_str(v), *c;
		char *end;
		unsigned long port;

		snprintf(member, sizeof(member), "network.allow[%zu]", i);
		if (hp == NULL || (c = strrchr(hp, ':')) == NULL || c == hp)
			return bad(e, s->label, member,
			           "must be a \"host:port\" string");
		port = strtoul(c + 1, &end, 10);
		if (c[1] < '0' || c[1] > '9' || *end != '\0' || port < 1 ||
		    port > 65535)
			return bad(e, s->label, member,
			           "must end in a port from 1 to 65535");
		if ((size_t)(c - hp) > SPEC_MAX_HOST)
			return bad(e, s->label, member,
			           "host name longer than 253 characters");
		memcpy(s->hosts[s->nports], hp, (size_t)(c - hp));
		s->hosts[s->nports][c - hp] = '\0';
		s->ports[s->nports++] = (unsigned short)port;
	}
	if ((m = json_object_get(n, "mode")) == NULL)
		return 0;
	mode = json_string_value(m);
	for (i = 0; mode != NULL && mcp_spec_net_names[i] != NULL; i++)
		if (strcmp(mode, mcp_spec_net_names[i]) == 0) {
			s->net = (enum spec_net)i;
			return s->net == NET_ALLOWLIST ? allow_names(s, e) : 0;
		}
	return bad(e, s->label, "network.mode",
	           "must be \"none\", \"allowlist\" or \"host\"");
}

int
mcp_spec_parse(struct mcp_spec *s, json_t *doc, const char *label,
               struct mcp_err *e)
{
	static const char *const kinds[] = {MCP_KIND_SPEC, NULL};
	const json_t *proc;

	s->doc = json_incref(doc);
	s->label = label;
	if (mcp_doc_check_kind(doc, label, kinds, e) < 0)
		return -1;
	proc = json_object_get(doc, "process");
	if (!json_is_object(proc))
		return bad(e, label, "process", "must be an object");
	if (parse_argv(s, proc, e) < 0)
		return -1;
	s->cwd = clean_str(json_object_get(proc, "cwd"));
	if (s->cwd == NULL || s->cwd[0] != '/')
		return bad(e, label, "process.cwd", "must be an absolute path");
	if (parse_env(s, proc, e) < 0 || parse_umask(s, proc, e) < 0 ||
	    parse_limits(s, e) < 0 || parse_isolation(s, e) < 0 ||
	    parse_identity(s, e) < 0 || parse_fs(s, e) < 0 ||
	    parse_net(s, e) < 0)
		return -1;
	return 0;
}
