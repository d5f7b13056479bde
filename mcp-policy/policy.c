/*
 * policy.c: the policy model: the built-in policy, validating one layer of
 * YAML, merging layers so that a later one only ever tightens, and the
 * decision on each kind of request.
 *
 * Invariant: nothing a later layer says can widen what an earlier layer
 * allowed.  Single values merge to the strictest (a looser one is ignored
 * with a warning naming its FILE:LINE); allow-lists are never merged at all
 * but checked layer by layer, so globs need no set algebra to stay sound.
 */
#include <mcp-config.h>

#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "units.h"
#include "xalloc.h"

const uint64_t mcp_policy_builtin_def[MCP_LIMIT_N] = {
    1000, 512ULL << 20, 64, 256, 8ULL * 3600 * 1000,
};
const uint64_t mcp_policy_builtin_cap[MCP_LIMIT_N] = {
    2000, 2ULL << 30, 256, 4096, 24ULL * 3600 * 1000,
};
/*
 * Typo guards, not policy: 1024 CPUs, 1 TiB, the kernel's pid_max limit
 * (PID_MAX_LIMIT), the default fs.nr_open, 30 days.  A value above them is
 * far more likely a slip of the finger than a wish.
 */
const uint64_t mcp_policy_limit_max[MCP_LIMIT_N] = {
    1024000, 1ULL << 40, 4194304, 1048576, 30ULL * 24 * 3600 * 1000,
};

/* The names the policy (limits.caps.memory) and the spec (memory_bytes)
 * use for each limit, indexed by enum mcp_limit. */
static const char *const limit_names[MCP_LIMIT_N] = {
    "cpu", "memory", "pids", "fds", "timeout",
};
static const char *const limit_spec_keys[MCP_LIMIT_N] = {
    "cpu_millicores", "memory_bytes", "pids", "fds", "timeout_ms",
};
/* FORMATS.md's registry statuses in enum order, and "none" for a
 * document from a standalone mcp-verify, which has no status at all. */
static const char *const status_names[MCP_STATUS_N] = {
    "draft",      "ingested",    "scanned", "published",
    "deprecated", "quarantined", "revoked", "none",
};

/*
 * The confinement layers of mcp-exec(1), in the order it applies them
 * (its mcp_spec_layers[]); isolation.require and isolation.degrade name
 * these, and mcp-exec refuses a spec naming any other.
 */
#define ISO_LIST                                                               \
	"fds, environment, cgroup, namespaces, rlimits, capabilities, "        \
	"identity, no_new_privs, landlock, seccomp, timeout"
/*
 * What an OCI runtime bundle cannot express (mcp-config(5), "oci"): the
 * two confinement layers OCI has no field for, and four grants whose
 * mechanism is mcp-exec's own (the allowlist relay, the inbound relay of
 * an http transport, secrets and variables copied from mcp-exec's
 * environment, whose values never enter a file).
 */
#define OCI_LIST "landlock, timeout, allowlist, inbound, secrets, pass_env"
const char *const mcp_policy_oci_gaps[] = {
    "landlock", "timeout",  "allowlist", "inbound",
    "secrets",  "pass_env", NULL,
};

static const char *const iso_names[] = {
    "fds",      "environment",  "cgroup",   "namespaces",
    "rlimits",  "capabilities", "identity", "no_new_privs",
    "landlock", "seccomp",      "timeout",  NULL,
};

/*
 * Variables that change how a program is loaded or what it runs: the
 * dynamic loader's (glibc's unsecvars list, CVE-2023-4911's
 * GLIBC_TUNABLES), the shells', and the interpreters' module paths and
 * start-up hooks.  A caller's value of one of these would steer the
 * server's code, so none is ever passed through, whatever the policy says.
 */
static const char *const env_forbidden[] = {
    "LD_*",
    "DYLD_*",
    "GCONV_PATH",
    "GETCONF_DIR",
    "GLIBC_TUNABLES",
    "HOSTALIASES",
    "LOCALDOMAIN",
    "LOCPATH",
    "MALLOC_*",
    "NIS_PATH",
    "NLSPATH",
    "RESOLV_HOST_CONF",
    "RES_OPTIONS",
    "TZDIR",
    "PATH",
    "IFS",
    "ENV",
    "BASH_ENV",
    "BASHOPTS",
    "SHELLOPTS",
    "PS4",
    "CDPATH",
    "PYTHON*",
    "NODE_OPTIONS",
    "NODE_PATH",
    "NODE_REPL_EXTERNAL_MODULE",
    "PERL5LIB",
    "PERLLIB",
    "PERL5OPT",
    "PERL5DB",
    "RUBYOPT",
    "RUBYLIB",
    "LUA_INIT*",
    "LUA_PATH*",
    "LUA_CPATH*",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
    NULL,
};

/* Host paths that are the kernel's interfaces: mcp-exec sets up its own
 * /proc and /dev, and a grant of the host's would bypass the sandbox. */
static const char *const fs_forbidden[] = {"/proc", "/sys", "/dev", NULL};

const char *
mcp_limit_name(enum mcp_limit l)
{
	return limit_names[l];
}

const char *
mcp_limit_spec_key(enum mcp_limit l)
{
	return limit_spec_keys[l];
}

const char *
mcp_status_name(enum mcp_status s)
{
	return status_names[s];
}

int
mcp_status_parse(const char *name)
{
	int i;

	for (i = 0; i < MCP_STATUS_N; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

const char *
mcp_cert_mode_name(enum mcp_cert_mode m)
{
	return m == MCP_CERT_STRICT ? "strict"
	       : m == MCP_CERT_WARN ? "warn"
	                            : "disabled";
}

const char *
mcp_net_mode_name(enum mcp_net_mode m)
{
	return m == MCP_NET_NONE        ? "none"
	       : m == MCP_NET_ALLOWLIST ? "allowlist"
	                                : "host";
}

/* Access bits back to the spelling of the documents; "?" cannot happen
 * for bits that came from mcp_access_parse(). */
const char *
mcp_access_name(unsigned access)
{
	switch (access) {
	case MCP_ACCESS_R:
		return "ro";
	case MCP_ACCESS_R | MCP_ACCESS_W:
		return "rw";
	case MCP_ACCESS_R | MCP_ACCESS_X:
		return "rx";
	case MCP_ACCESS_R | MCP_ACCESS_W | MCP_ACCESS_X:
		return "rwx";
	}
	return "?";
}

/* Read always comes with the others: Landlock and bind mounts have no
 * write-only or execute-only grant that would be worth the confusion. */
unsigned
mcp_access_parse(const char *s)
{
	if (strcmp(s, "ro") == 0)
		return MCP_ACCESS_R;
	if (strcmp(s, "rw") == 0)
		return MCP_ACCESS_R | MCP_ACCESS_W;
	if (strcmp(s, "rx") == 0)
		return MCP_ACCESS_R | MCP_ACCESS_X;
	if (strcmp(s, "rwx") == 0)
		return MCP_ACCESS_R | MCP_ACCESS_W | MCP_ACCESS_X;
	return 0;
}

/* The policy's own notation, so that a warning can be pasted back into a
 * configuration file as it is. */
char *
mcp_limit_format(enum mcp_limit l, uint64_t v, char *buf, size_t n)
{
	switch (l) {
	case MCP_LIMIT_CPU:
		snprintf(buf, n, "%llum", (unsigned long long)v);
		return buf;
	case MCP_LIMIT_MEMORY:
		return mcp_size_format(v, buf, n);
	case MCP_LIMIT_TIMEOUT:
		return mcp_duration_format(v, buf, n);
	default:
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return buf;
	}
}

char *
mcp_policy_src_format(const struct mcp_policy_src *s, char *buf, size_t n)
{
	if (s->file == NULL)
		snprintf(buf, n, "built-in");
	else
		snprintf(buf, n, "%s:%u", s->file, s->line);
	return buf;
}

/* ---- syntax ---- */

/* POSIX's portable names ([A-Za-z_][A-Za-z0-9_]*), bounded; "A=B" or a
 * name with a space would be split or misread by whoever sets it. */
int
mcp_policy_env_name_valid(const char *s)
{
	const char *p;

	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 0;
	return p - s <= 256;
}

/* A variable name where '*' and '?' may stand for characters. */
static int
env_glob_valid(const char *s)
{
	const char *p;

	if (*s == '\0' || strlen(s) > 256)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '*' ||
		      *p == '?'))
			return 0;
	return !isdigit((unsigned char)*s);
}

/* Printable ASCII without space: globs over package ids, origins, URLs. */
static int
word_valid(const char *s)
{
	const unsigned char *p;

	if (*s == '\0' || strlen(s) > 1024)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

/* A DNS name (labels of letters, digits and '-'), an IPv4 address, or an
 * IPv6 address in brackets; "*." may lead when WILD. */
static int
host_valid(const char *h, size_t len, int wild)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return 0;
	if (h[0] == '[') {
		if (len < 3 || h[len - 1] != ']')
			return 0;
		for (i = 1; i + 1 < len; i++)
			if (!(isxdigit((unsigned char)h[i]) || h[i] == ':' ||
			      h[i] == '.'))
				return 0;
		return 1;
	}
	if (wild && len > 2 && h[0] == '*' && h[1] == '.') {
		h += 2;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)h[i]) ||
		      (h[i] == '-' && label > 0)))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && h[len - 1] != '-';
}

/* Split "host:port"; PORT is 1..65535 or (if WILDPORT) "*". */
static int
hostport_split(const char *s, int wild, size_t *hlen, const char **port)
{
	const char *colon = strrchr(s, ':');
	const char *p;
	unsigned long v = 0;

	if (colon == NULL || !host_valid(s, (size_t)(colon - s), wild))
		return 0;
	if (s[0] != '[' && memchr(s, ':', (size_t)(colon - s)) != NULL)
		return 0; /* a bare IPv6 address must be bracketed */
	p = colon + 1;
	if (wild && strcmp(p, "*") == 0)
		goto done;
	if (*p < '1' || *p > '9' || strlen(p) > 5)
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return 0;
done:
	*hlen = (size_t)(colon - s);
	*port = colon + 1;
	return 1;
}

/* A destination a manifest may request: a wildcard host is fine
 * ("*.example.com:443"), a wildcard port is the policy's privilege. */
int
mcp_policy_hostport_valid(const char *s)
{
	size_t hl;
	const char *port;

	return hostport_split(s, 1, &hl, &port) && strcmp(port, "*") != 0;
}

/* Only lexical clean-up: the filesystem is not consulted here, so the
 * same input gives the same answer on any machine (realpath is the
 * caller's separate, second check). */
char *
mcp_policy_path_norm(const char *path)
{
	char *out, *o;
	const char *p = path, *end;
	size_t len;

	if (path[0] != '/')
		return NULL;
	out = xmalloc(strlen(path) + 2);
	o = out;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			p += len;
			continue;
		}
		/* ".." is refused, not resolved: "a/../b" is not "b" when a
		 * is a symlink, and a policy must mean what it shows. */
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return NULL;
		}
		*o++ = '/';
		memcpy(o, p, len);
		o += len;
		p += len;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

/* Component-wise, so that a grant of /srv/data never covers
 * /srv/database; both paths must be normalised. */
int
mcp_policy_path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

/* ---- parsing one layer ---- */

static void
src_of(struct mcp_policy_src *s, const struct mcp_ynode *n)
{
	s->file = n->file;
	s->line = n->line;
	s->col = n->col;
}

static void
list_free(struct mcp_policy_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Frees what parse_layer() allocated, also after a failure half-way:
 * every member starts zeroed. */
static void
layer_release(struct mcp_policy_layer *l)
{
	size_t i;

	list_free(&l->pkg_allow);
	list_free(&l->pkg_deny);
	list_free(&l->origins);
	list_free(&l->registries);
	list_free(&l->env_allow);
	list_free(&l->env_secrets);
	list_free(&l->net_allow);
	list_free(&l->iso_require);
	list_free(&l->iso_degrade);
	list_free(&l->oci_accept);
	for (i = 0; i < l->nfs; i++) {
		free(l->fs[i].path);
		free(l->fs[i].real);
	}
	free(l->fs);
	free(l->file);
	memset(l, 0, sizeof(*l));
}

/* A section that must be a mapping with KEYS; NULL (silent) is fine. */
static int
section(const struct mcp_ynode *n, const char *what, const char *const *keys,
        struct mcp_err *e)
{
	if (n == NULL)
		return 0;
	if (n->type != MCP_YNODE_MAP)
		return mcp_ynode_err(n, e, MCP_ERR_USAGE,
		                     "%s: must be a mapping", what);
	return mcp_ynode_keys(n, what, keys, e);
}

/* Read the list KEY of MAP into L; VALID checks each entry. */
static int
get_list(const struct mcp_ynode *map, const char *key, const char *what,
         int (*valid)(const char *), const char *expect,
         struct mcp_policy_list *l, struct mcp_err *e)
{
	const struct mcp_ynode *n = mcp_ynode_get(map, key);
	const char **v = NULL;
	size_t i, count;

	if (n == NULL)
		return 0;
	if (mcp_ynode_strlist(n, what, &v, &count, e) < 0)
		return -1;
	for (i = 0; i < count; i++) {
		if (!valid(v[i])) {
			free(v);
			return mcp_ynode_err(n->items[i], e, MCP_ERR_USAGE,
			                     "%s[%zu]: \"%.200s\" is not %s",
			                     what, i, n->items[i]->scalar,
			                     expect);
		}
	}
	l->set = 1;
	l->n = count;
	l->v = xcalloc(count + 1, sizeof(*l->v));
	for (i = 0; i < count; i++)
		l->v[i] = xstrdup(v[i]);
	free(v);
	src_of(&l->src, n);
	return 0;
}

/* Validators for get_list(): each says whether one entry is well formed;
 * the message comes from the caller's EXPECT text. */
static int
status_valid(const char *s)
{
	return mcp_status_parse(s) >= 0;
}

static int
oci_valid(const char *s)
{
	size_t i;

	for (i = 0; mcp_policy_oci_gaps[i] != NULL; i++)
		if (strcmp(s, mcp_policy_oci_gaps[i]) == 0)
			return 1;
	return 0;
}

static int
iso_valid(const char *s)
{
	size_t i;

	for (i = 0; iso_names[i] != NULL; i++)
		if (strcmp(s, iso_names[i]) == 0)
			return 1;
	return 0;
}

static int
net_entry_valid(const char *s)
{
	size_t hl;
	const char *port;

	return hostport_split(s, 1, &hl, &port);
}

/* A status list into a bit set. */
static int
status_bits(const struct mcp_ynode *map, const char *key, const char *what,
            int *has, unsigned *bits, struct mcp_policy_src *src,
            struct mcp_err *e)
{
	struct mcp_policy_list l = {0};
	size_t i;

	if (get_list(map, key, what, status_valid,
	             "a status (draft, ingested, scanned, published, "
	             "deprecated, quarantined, revoked, none)",
	             &l, e) < 0)
		return -1;
	if (!l.set)
		return 0;
	*has = 1;
	*bits = 0;
	for (i = 0; i < l.n; i++)
		*bits |= 1u << mcp_status_parse(l.v[i]);
	*src = l.src;
	list_free(&l);
	return 0;
}

/* certification: {minimum, mode}. */
static int
parse_certification(struct mcp_policy_layer *l, const struct mcp_ynode *n,
                    struct mcp_err *e)
{
	static const char *const keys[] = {"minimum", "mode", NULL};
	const struct mcp_ynode *v;
	const char *s;
	uint64_t u;

	if (section(n, "policy.certification", keys, e) < 0)
		return -1;
	if ((v = mcp_ynode_get(n, "minimum")) != NULL) {
		if (mcp_ynode_uint(v, "policy.certification.minimum", 3, &u,
		                   e) < 0)
			return -1;
		l->has_cert_min = 1;
		l->cert_min = (unsigned)u;
		src_of(&l->cert_min_src, v);
	}
	if ((v = mcp_ynode_get(n, "mode")) != NULL) {
		if (mcp_ynode_str(v, "policy.certification.mode", &s, e) < 0)
			return -1;
		if (strcmp(s, "strict") == 0)
			l->cert_mode = MCP_CERT_STRICT;
		else if (strcmp(s, "warn") == 0)
			l->cert_mode = MCP_CERT_WARN;
		else if (strcmp(s, "disabled") == 0)
			l->cert_mode = MCP_CERT_DISABLED;
		else
			return mcp_ynode_err(v, e, MCP_ERR_USAGE,
			                     "policy.certification.mode: must "
			                     "be strict, warn or disabled");
		l->has_cert_mode = 1;
		src_of(&l->cert_mode_src, v);
	}
	return 0;
}

/* One limit value in the policy's notation. */
static int
parse_limit(enum mcp_limit lim, const struct mcp_ynode *v, const char *what,
            uint64_t *out, struct mcp_err *e)
{
	char maxbuf[32];
	const char *s;
	uint64_t x = 0;
	size_t len;
	int ok = 0;

	mcp_limit_format(lim, mcp_policy_limit_max[lim], maxbuf,
	                 sizeof(maxbuf));
	if (v->type != MCP_YNODE_SCALAR)
		goto bad;
	s = v->scalar;
	len = strlen(s);
	switch (lim) {
	case MCP_LIMIT_CPU: {
		/* Millicores, as manifests give them: 1500 or "1500m". */
		char tmp[32];

		if (len == 0 || len >= sizeof(tmp))
			break;
		memcpy(tmp, s, len + 1);
		if (tmp[len - 1] == 'm')
			tmp[--len] = '\0';
		ok = len > 0 && tmp[0] != '0' &&
		     strspn(tmp, "0123456789") == len && len <= 10;
		if (ok)
			x = strtoull(tmp, NULL, 10);
		break;
	}
	case MCP_LIMIT_MEMORY:
		ok = mcp_size_parse(s, &x) == 0;
		break;
	case MCP_LIMIT_TIMEOUT:
		ok = mcp_duration_parse(s, &x) == 0;
		break;
	default:
		ok = len > 0 && len <= 10 && s[0] != '0' &&
		     strspn(s, "0123456789") == len;
		if (ok)
			x = strtoull(s, NULL, 10);
		break;
	}
	if (ok && x > 0 && x <= mcp_policy_limit_max[lim]) {
		*out = x;
		return 0;
	}
bad:
	switch (lim) {
	case MCP_LIMIT_CPU:
		return mcp_ynode_err(v, e, MCP_ERR_USAGE,
		                     "%s: must be millicores such as 1500 or "
		                     "1500m, from 1 to %s",
		                     what, maxbuf);
	case MCP_LIMIT_MEMORY:
		return mcp_ynode_err(
		    v, e, MCP_ERR_USAGE,
		    "%s: must be a size such as 512M or 2G, at most %s", what,
		    maxbuf);
	case MCP_LIMIT_TIMEOUT:
		return mcp_ynode_err(
		    v, e, MCP_ERR_USAGE,
		    "%s: must be a duration such as 30m or 1h30m, at most %s",
		    what, maxbuf);
	default:
		return mcp_ynode_err(v, e, MCP_ERR_USAGE,
		                     "%s: must be an integer from 1 to %s",
		                     what, maxbuf);
	}
}

/* limits.defaults or limits.caps: any subset of the five limits. */
static int
parse_limit_set(const struct mcp_ynode *n, const char *what, int *has,
                uint64_t *val, struct mcp_policy_src *src, struct mcp_err *e)
{
	static const char *const keys[] = {"cpu", "memory",  "pids",
	                                   "fds", "timeout", NULL};
	const struct mcp_ynode *v;
	char key[64];
	int i;

	if (section(n, what, keys, e) < 0)
		return -1;
	for (i = 0; i < MCP_LIMIT_N; i++) {
		if ((v = mcp_ynode_get(n, limit_names[i])) == NULL)
			continue;
		snprintf(key, sizeof(key), "%s.%s", what, limit_names[i]);
		if (parse_limit((enum mcp_limit)i, v, key, &val[i], e) < 0)
			return -1;
		has[i] = 1;
		src_of(&src[i], v);
	}
	return 0;
}

/* filesystem.allow: a list of {path, access}; access defaults to ro, the
 * least a grant can mean. */
static int
parse_filesystem(struct mcp_policy_layer *l, const struct mcp_ynode *n,
                 struct mcp_err *e)
{
	static const char *const keys[] = {"allow", NULL};
	static const char *const gkeys[] = {"path", "access", NULL};
	const struct mcp_ynode *a, *g, *v;
	const char *s;
	char what[64];
	size_t i;

	if (section(n, "policy.filesystem", keys, e) < 0)
		return -1;
	if ((a = mcp_ynode_get(n, "allow")) == NULL)
		return 0;
	if (a->type != MCP_YNODE_SEQ)
		return mcp_ynode_err(a, e, MCP_ERR_USAGE,
		                     "policy.filesystem.allow: must be a list "
		                     "of {path, access}");
	l->has_fs = 1;
	src_of(&l->fs_src, a);
	l->fs = xcalloc(a->n + 1, sizeof(*l->fs));
	for (i = 0; i < a->n; i++) {
		g = a->items[i];
		snprintf(what, sizeof(what), "policy.filesystem.allow[%zu]", i);
		if (g->type != MCP_YNODE_MAP)
			return mcp_ynode_err(
			    g, e, MCP_ERR_USAGE,
			    "%s: must be a mapping with path and access", what);
		if (mcp_ynode_keys(g, what, gkeys, e) < 0)
			return -1;
		if ((v = mcp_ynode_get(g, "path")) == NULL)
			return mcp_ynode_err(g, e, MCP_ERR_USAGE,
			                     "%s: missing path", what);
		snprintf(what, sizeof(what),
		         "policy.filesystem.allow[%zu].path", i);
		if (mcp_ynode_str(v, what, &s, e) < 0)
			return -1;
		if ((l->fs[l->nfs].path = mcp_policy_path_norm(s)) == NULL)
			return mcp_ynode_err(v, e, MCP_ERR_USAGE,
			                     "%s: \"%.200s\" must be an "
			                     "absolute path without \"..\"",
			                     what, s);
		l->fs[l->nfs].access = MCP_ACCESS_R;
		/* A request is judged where it leads (realpath); so is a
		 * grant, or /home -> /usr/home would refuse every path an
		 * administrator granted under /home. */
		l->fs[l->nfs].real = realpath(l->fs[l->nfs].path, NULL);
		if (l->fs[l->nfs].real != NULL &&
		    strcmp(l->fs[l->nfs].real, l->fs[l->nfs].path) == 0) {
			free(l->fs[l->nfs].real);
			l->fs[l->nfs].real = NULL;
		}
		l->nfs++;
		if ((v = mcp_ynode_get(g, "access")) != NULL) {
			snprintf(what, sizeof(what),
			         "policy.filesystem.allow[%zu].access", i);
			if (mcp_ynode_str(v, what, &s, e) < 0)
				return -1;
			if ((l->fs[l->nfs - 1].access = mcp_access_parse(s)) ==
			    0)
				return mcp_ynode_err(
				    v, e, MCP_ERR_USAGE,
				    "%s: must be ro, rx, rw or rwx", what);
		}
	}
	return 0;
}

/* network: {mode, allow}. */
static int
parse_network(struct mcp_policy_layer *l, const struct mcp_ynode *n,
              struct mcp_err *e)
{
	static const char *const keys[] = {"mode", "allow", NULL};
	const struct mcp_ynode *v;
	const char *s;

	if (section(n, "policy.network", keys, e) < 0)
		return -1;
	if ((v = mcp_ynode_get(n, "mode")) != NULL) {
		if (mcp_ynode_str(v, "policy.network.mode", &s, e) < 0)
			return -1;
		if (strcmp(s, "none") == 0)
			l->net_mode = MCP_NET_NONE;
		else if (strcmp(s, "allowlist") == 0)
			l->net_mode = MCP_NET_ALLOWLIST;
		else if (strcmp(s, "host") == 0)
			l->net_mode = MCP_NET_HOST;
		else
			return mcp_ynode_err(v, e, MCP_ERR_USAGE,
			                     "policy.network.mode: must be "
			                     "none, allowlist or host");
		l->has_net_mode = 1;
		src_of(&l->net_mode_src, v);
	}
	return get_list(n, "allow", "policy.network.allow", net_entry_valid,
	                "HOST:PORT (a host name, *.domain, an IPv4 or [IPv6] "
	                "address; a port or *)",
	                &l->net_allow, e);
}

/*
 * Validate one policy section completely before any of it is used: a
 * half-read layer would be a policy nobody wrote.  Unknown keys at every
 * depth are errors, so a misspelt restriction is never a silent no-op.
 */
static int
parse_layer(struct mcp_policy_layer *l, const char *file,
            const struct mcp_ynode *n, struct mcp_err *e)
{
	static const char *const keys[] = {"certification",
	                                   "status",
	                                   "packages",
	                                   "origins",
	                                   "registries",
	                                   "limits",
	                                   "environment",
	                                   "filesystem",
	                                   "network",
	                                   "subprocess",
	                                   "ungranted",
	                                   "isolation",
	                                   "oci",
	                                   NULL};
	static const char *const status_keys[] = {"allow", "warn", NULL};
	static const char *const allowdeny[] = {"allow", "deny", NULL};
	static const char *const allow[] = {"allow", NULL};
	static const char *const limit_keys[] = {"defaults", "caps", NULL};
	static const char *const env_keys[] = {"allow", "secrets", NULL};
	static const char *const sub_keys[] = {"allow", NULL};
	static const char *const iso_keys[] = {"require", "degrade", NULL};
	static const char *const oci_keys[] = {"accept", NULL};
	const struct mcp_ynode *s, *v;
	const char *str;

	memset(l, 0, sizeof(*l));
	l->file = xstrdup(file);
	/* A `policy:` with nothing after it is YAML's null: a silent layer. */
	if (n == NULL ||
	    (n->type == MCP_YNODE_SCALAR && n->plain &&
	     (n->scalar[0] == '\0' || strcmp(n->scalar, "~") == 0 ||
	      strcmp(n->scalar, "null") == 0)))
		return 0;
	if (section(n, "policy", keys, e) < 0)
		return -1;

	if (parse_certification(l, mcp_ynode_get(n, "certification"), e) < 0)
		return -1;

	s = mcp_ynode_get(n, "status");
	if (section(s, "policy.status", status_keys, e) < 0 ||
	    status_bits(s, "allow", "policy.status.allow", &l->has_status_allow,
	                &l->status_allow, &l->status_allow_src, e) < 0 ||
	    status_bits(s, "warn", "policy.status.warn", &l->has_status_warn,
	                &l->status_warn, &l->status_warn_src, e) < 0)
		return -1;

	s = mcp_ynode_get(n, "packages");
	if (section(s, "policy.packages", allowdeny, e) < 0 ||
	    get_list(s, "allow", "policy.packages.allow", word_valid,
	             "a package glob such as acme/* or acme/hello",
	             &l->pkg_allow, e) < 0 ||
	    get_list(s, "deny", "policy.packages.deny", word_valid,
	             "a package glob such as acme/* or acme/hello",
	             &l->pkg_deny, e) < 0)
		return -1;

	s = mcp_ynode_get(n, "origins");
	if (section(s, "policy.origins", allow, e) < 0 ||
	    get_list(s, "allow", "policy.origins.allow", word_valid,
	             "an origin (official, verified, community, none)",
	             &l->origins, e) < 0)
		return -1;

	s = mcp_ynode_get(n, "registries");
	if (section(s, "policy.registries", allow, e) < 0 ||
	    get_list(s, "allow", "policy.registries.allow", word_valid,
	             "a registry URL or glob", &l->registries, e) < 0)
		return -1;

	s = mcp_ynode_get(n, "limits");
	if (section(s, "policy.limits", limit_keys, e) < 0 ||
	    parse_limit_set(mcp_ynode_get(s, "defaults"),
	                    "policy.limits.defaults", l->has_def, l->def,
	                    l->def_src, e) < 0 ||
	    parse_limit_set(mcp_ynode_get(s, "caps"), "policy.limits.caps",
	                    l->has_cap, l->cap, l->cap_src, e) < 0)
		return -1;

	s = mcp_ynode_get(n, "environment");
	if (section(s, "policy.environment", env_keys, e) < 0 ||
	    get_list(s, "allow", "policy.environment.allow", env_glob_valid,
	             "a variable name (with optional * and ?)", &l->env_allow,
	             e) < 0 ||
	    get_list(s, "secrets", "policy.environment.secrets", env_glob_valid,
	             "a variable name (with optional * and ?)", &l->env_secrets,
	             e) < 0)
		return -1;

	if (parse_filesystem(l, mcp_ynode_get(n, "filesystem"), e) < 0 ||
	    parse_network(l, mcp_ynode_get(n, "network"), e) < 0)
		return -1;

	s = mcp_ynode_get(n, "subprocess");
	if (section(s, "policy.subprocess", sub_keys, e) < 0)
		return -1;
	if ((v = mcp_ynode_get(s, "allow")) != NULL) {
		if (mcp_ynode_bool(v, "policy.subprocess.allow", &l->subprocess,
		                   e) < 0)
			return -1;
		l->has_subprocess = 1;
		src_of(&l->subprocess_src, v);
	}

	if ((v = mcp_ynode_get(n, "ungranted")) != NULL) {
		if (mcp_ynode_str(v, "policy.ungranted", &str, e) < 0)
			return -1;
		if (strcmp(str, "deny") == 0)
			l->ungranted = MCP_UNGRANTED_DENY;
		else if (strcmp(str, "drop") == 0)
			l->ungranted = MCP_UNGRANTED_DROP;
		else
			return mcp_ynode_err(
			    v, e, MCP_ERR_USAGE,
			    "policy.ungranted: must be deny or drop");
		l->has_ungranted = 1;
		src_of(&l->ungranted_src, v);
	}

	s = mcp_ynode_get(n, "isolation");
	if (section(s, "policy.isolation", iso_keys, e) < 0 ||
	    get_list(s, "require", "policy.isolation.require", iso_valid,
	             "a layer of mcp-exec (" ISO_LIST ")", &l->iso_require,
	             e) < 0 ||
	    get_list(s, "degrade", "policy.isolation.degrade", iso_valid,
	             "a layer of mcp-exec (" ISO_LIST ")", &l->iso_degrade,
	             e) < 0)
		return -1;

	s = mcp_ynode_get(n, "oci");
	if (section(s, "policy.oci", oci_keys, e) < 0 ||
	    get_list(s, "accept", "policy.oci.accept", oci_valid,
	             "a gap of the OCI target (" OCI_LIST ")", &l->oci_accept,
	             e) < 0)
		return -1;
	return 0;
}

/* ---- merging ---- */

static void warnf(struct mcp_policy *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warnf(struct mcp_policy *p, const char *fmt, ...)
{
	char buf[MCP_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->warnings =
	    xrealloc(p->warnings, (p->nwarnings + 1) * sizeof(*p->warnings));
	p->warnings[p->nwarnings++] = xstrdup(buf);
}

/* The built-in policy of DESIGN.md; every *_src stays {NULL} ("built-in")
 * until a file sets the value, which is how merge_layer() knows that the
 * first file may replace it freely. */
static void merge_isolation(struct mcp_policy *p);

void
mcp_policy_init(struct mcp_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->cert_min = 0;
	p->cert_mode = MCP_CERT_WARN;
	p->status_allow = 1u << MCP_STATUS_PUBLISHED |
	                  1u << MCP_STATUS_DEPRECATED | 1u << MCP_STATUS_NONE;
	p->status_warn = 1u << MCP_STATUS_DEPRECATED | 1u << MCP_STATUS_NONE;
	memcpy(p->def, mcp_policy_builtin_def, sizeof(p->def));
	memcpy(p->cap, mcp_policy_builtin_cap, sizeof(p->cap));
	p->net_mode = MCP_NET_NONE;
	p->subprocess = 0;
	p->ungranted = MCP_UNGRANTED_DENY;
	merge_isolation(p); /* the built-in isolation floor */
}

void
mcp_policy_release(struct mcp_policy *p)
{
	size_t i;

	for (i = 0; i < p->nlayers; i++)
		layer_release(&p->layers[i]);
	free(p->layers);
	for (i = 0; i < p->nwarnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	free(p->iso_require);
	free(p->iso_degrade);
	free(p->oci_accept);
	memset(p, 0, sizeof(*p));
}

/* Names of the statuses in BITS, comma-separated. */
static char *
status_list(unsigned bits, char *buf, size_t n)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < MCP_STATUS_N; i++)
		if (bits & (1u << i))
			o +=
			    (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%s",
			                     o ? ", " : "", status_names[i]);
	return buf;
}

/* The static name of an isolation layer (so merged lists own nothing). */
static const char *
iso_static(const char *s)
{
	size_t i;

	for (i = 0; iso_names[i] != NULL; i++)
		if (strcmp(s, iso_names[i]) == 0)
			return iso_names[i];
	return NULL;
}

static int
in_names(const char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/*
 * The built-in isolation floor, used when no file says isolation.require:
 * every layer mcp-exec applies on any kernel it supports, so a missing one
 * refuses the run (125) instead of running with less (DESIGN.md, invariant
 * 6).  cgroup and capabilities are left out: an unprivileged user without
 * cgroup delegation, or without CAP_SETPCAP, cannot have them, and
 * mcp-exec falls back to rlimits and no_new_privs there, saying so.
 */
static const char *const iso_builtin_require[] = {
    "fds",          "environment", "namespaces", "rlimits", "identity",
    "no_new_privs", "landlock",    "seccomp",    "timeout", NULL,
};

/* The OCI gaps accepted: those every layer that gives oci.accept lists,
 * as isolation.degrade (a later layer can only take acceptances away). */
static void
merge_oci(struct mcp_policy *p)
{
	size_t i, k;
	int any = 0, ok;

	free(p->oci_accept);
	p->oci_accept = xcalloc(8, sizeof(*p->oci_accept));
	p->noci_accept = 0;
	for (i = 0; i < p->nlayers; i++)
		any |= p->layers[i].oci_accept.set;
	if (!any)
		return;
	for (k = 0; mcp_policy_oci_gaps[k] != NULL; k++) {
		ok = 1;
		for (i = 0; ok && i < p->nlayers; i++) {
			const struct mcp_policy_list *a =
			    &p->layers[i].oci_accept;

			if (a->set && !in_names((const char **)a->v, a->n,
			                        mcp_policy_oci_gaps[k]))
				ok = 0;
		}
		if (ok)
			p->oci_accept[p->noci_accept++] =
			    mcp_policy_oci_gaps[k];
	}
}

/* Recompute the isolation lists from every layer. */
static void
merge_isolation(struct mcp_policy *p)
{
	size_t i, j, k;
	int any_degrade = 0, any_require = 0, ok;

	free(p->iso_require);
	free(p->iso_degrade);
	p->iso_require = xcalloc(16, sizeof(*p->iso_require));
	p->iso_degrade = xcalloc(16, sizeof(*p->iso_degrade));
	p->niso_require = p->niso_degrade = 0;
	for (i = 0; i < p->nlayers; i++) {
		const struct mcp_policy_list *r = &p->layers[i].iso_require;

		for (j = 0; j < r->n; j++)
			if (!in_names(p->iso_require, p->niso_require, r->v[j]))
				p->iso_require[p->niso_require++] =
				    iso_static(r->v[j]);
		any_degrade |= p->layers[i].iso_degrade.set;
		any_require |= r->set;
	}
	if (!any_require)
		for (k = 0; iso_builtin_require[k] != NULL; k++)
			p->iso_require[p->niso_require++] =
			    iso_builtin_require[k];
	merge_oci(p);
	if (!any_degrade)
		return;
	/* A layer may be degraded only if every layer that lists degrade
	 * lists it and no layer requires it. */
	for (k = 0; iso_names[k] != NULL; k++) {
		ok = !in_names(p->iso_require, p->niso_require, iso_names[k]);
		for (i = 0; ok && i < p->nlayers; i++) {
			const struct mcp_policy_list *d =
			    &p->layers[i].iso_degrade;

			if (d->set &&
			    !in_names((const char **)d->v, d->n, iso_names[k]))
				ok = 0;
		}
		if (ok)
			p->iso_degrade[p->niso_degrade++] = iso_names[k];
	}
}

/* Record that the value at LSRC is looser than the one from PSRC. */
static void
ignored(struct mcp_policy *p, const struct mcp_policy_src *lsrc,
        const char *key, const char *lval, const char *pval,
        const struct mcp_policy_src *psrc)
{
	char s1[512], s2[512];

	warnf(p, "%s: %s %s is looser than %s from %s; ignored",
	      mcp_policy_src_format(lsrc, s1, sizeof(s1)), key, lval, pval,
	      mcp_policy_src_format(psrc, s2, sizeof(s2)));
}

/* Caps only go down; defaults follow the last file that sets them and are
 * then held under the caps, whichever file set those. */
static void
merge_limits(struct mcp_policy *p, const struct mcp_policy_layer *l)
{
	char a[32], b[32], s1[512], s2[512];
	int i;

	for (i = 0; i < MCP_LIMIT_N; i++) {
		enum mcp_limit lim = (enum mcp_limit)i;

		if (l->has_cap[i]) {
			if (p->cap_src[i].file != NULL &&
			    l->cap[i] > p->cap[i]) {
				char key[64];

				snprintf(key, sizeof(key),
				         "policy.limits.caps.%s",
				         limit_names[i]);
				ignored(p, &l->cap_src[i], key,
				        mcp_limit_format(lim, l->cap[i], a,
				                         sizeof(a)),
				        mcp_limit_format(lim, p->cap[i], b,
				                         sizeof(b)),
				        &p->cap_src[i]);
			} else {
				p->cap[i] = l->cap[i];
				p->cap_src[i] = l->cap_src[i];
			}
		}
		/* A default is no grant: the last file's wins, under the
		 * caps that every file has agreed to. */
		if (l->has_def[i]) {
			p->def[i] = l->def[i];
			p->def_src[i] = l->def_src[i];
		}
		if (p->def[i] > p->cap[i]) {
			if (p->def_src[i].file != NULL)
				warnf(p,
				      "%s: policy.limits.defaults.%s %s is "
				      "above the cap %s from %s; using the cap",
				      mcp_policy_src_format(&p->def_src[i], s1,
				                            sizeof(s1)),
				      limit_names[i],
				      mcp_limit_format(lim, p->def[i], a,
				                       sizeof(a)),
				      mcp_limit_format(lim, p->cap[i], b,
				                       sizeof(b)),
				      mcp_policy_src_format(&p->cap_src[i], s2,
				                            sizeof(s2)));
			p->def[i] = p->cap[i];
		}
	}
}

/*
 * Each single value: the first file that sets it replaces the built-in
 * value (its source is still NULL); after that only a value at least as
 * strict is taken.  The enums are ordered loosest first, so "looser" is
 * "<".
 */
static void
merge_layer(struct mcp_policy *p, const struct mcp_policy_layer *l)
{
	char s1[512], s2[512], b[256], n1[16], n2[16];

	if (l->has_cert_min) {
		if (p->cert_min_src.file != NULL && l->cert_min < p->cert_min) {
			snprintf(n1, sizeof(n1), "%u", l->cert_min);
			snprintf(n2, sizeof(n2), "%u", p->cert_min);
			ignored(p, &l->cert_min_src,
			        "policy.certification.minimum", n1, n2,
			        &p->cert_min_src);
		} else {
			p->cert_min = l->cert_min;
			p->cert_min_src = l->cert_min_src;
		}
	}
	if (l->has_cert_mode) {
		if (p->cert_mode_src.file != NULL &&
		    l->cert_mode < p->cert_mode)
			ignored(p, &l->cert_mode_src,
			        "policy.certification.mode",
			        mcp_cert_mode_name(l->cert_mode),
			        mcp_cert_mode_name(p->cert_mode),
			        &p->cert_mode_src);
		else {
			p->cert_mode = l->cert_mode;
			p->cert_mode_src = l->cert_mode_src;
		}
	}
	if (l->has_status_allow) {
		unsigned extra = l->status_allow & ~p->status_allow;

		if (p->status_allow_src.file == NULL) {
			p->status_allow = l->status_allow;
		} else {
			/* The statuses both allow; the rest is named. */
			if (extra != 0)
				warnf(
				    p,
				    "%s: policy.status.allow: %s not allowed "
				    "by %s; ignored",
				    mcp_policy_src_format(&l->status_allow_src,
				                          s1, sizeof(s1)),
				    status_list(extra, b, sizeof(b)),
				    mcp_policy_src_format(&p->status_allow_src,
				                          s2, sizeof(s2)));
			p->status_allow &= l->status_allow;
		}
		p->status_allow_src = l->status_allow_src;
	}
	if (l->has_status_warn) {
		/* Warning about more is stricter: the union. */
		if (p->status_warn_src.file == NULL)
			p->status_warn = l->status_warn;
		else
			p->status_warn |= l->status_warn;
		p->status_warn_src = l->status_warn_src;
	}
	merge_limits(p, l);
	if (l->has_net_mode) {
		if (p->net_mode_src.file != NULL && l->net_mode < p->net_mode)
			ignored(p, &l->net_mode_src, "policy.network.mode",
			        mcp_net_mode_name(l->net_mode),
			        mcp_net_mode_name(p->net_mode),
			        &p->net_mode_src);
		else {
			p->net_mode = l->net_mode;
			p->net_mode_src = l->net_mode_src;
		}
	}
	if (l->has_subprocess) {
		/* A refusal by any file stands: source set and value 0. */
		if (l->subprocess && p->subprocess_src.file != NULL &&
		    !p->subprocess)
			ignored(p, &l->subprocess_src,
			        "policy.subprocess.allow", "true", "false",
			        &p->subprocess_src);
		else {
			p->subprocess = l->subprocess;
			p->subprocess_src = l->subprocess_src;
		}
	}
	if (l->has_ungranted) {
		if (p->ungranted_src.file != NULL &&
		    l->ungranted < p->ungranted)
			ignored(p, &l->ungranted_src, "policy.ungranted",
			        "drop", "deny", &p->ungranted_src);
		else {
			p->ungranted = l->ungranted;
			p->ungranted_src = l->ungranted_src;
		}
	}
}

/* An oci.accept entry of L that an earlier layer's list lacks would
 * loosen it: it is ignored (merge_oci), and said so. */
static void
oci_loosened(struct mcp_policy *p, const struct mcp_policy_layer *l)
{
	char s1[512], s2[512];
	size_t i, j;

	for (i = 0; i < l->oci_accept.n; i++)
		for (j = 0; j + 1 < p->nlayers; j++) {
			const struct mcp_policy_list *a =
			    &p->layers[j].oci_accept;

			if (!a->set || in_names((const char **)a->v, a->n,
			                        l->oci_accept.v[i]))
				continue;
			warnf(p,
			      "%s: policy.oci.accept %s is not accepted by "
			      "%s; ignored",
			      mcp_policy_src_format(&l->oci_accept.src, s1,
			                            sizeof(s1)),
			      l->oci_accept.v[i],
			      mcp_policy_src_format(&a->src, s2, sizeof(s2)));
			break;
		}
}

/* Parse first, merge after: a layer with an error changes nothing. */
int
mcp_policy_add(struct mcp_policy *p, const char *file,
               const struct mcp_ynode *node, struct mcp_err *e)
{
	struct mcp_policy_layer l;

	if (parse_layer(&l, file, node, e) < 0) {
		layer_release(&l);
		return -1;
	}
	p->layers = xrealloc(p->layers, (p->nlayers + 1) * sizeof(*p->layers));
	p->layers[p->nlayers++] = l;
	/* The sources point into the layer's node tree (node->file), which
	 * the caller keeps alive as long as P. */
	merge_layer(p, &p->layers[p->nlayers - 1]);
	oci_loosened(p, &p->layers[p->nlayers - 1]);
	merge_isolation(p);
	return 0;
}

/* ---- decisions ---- */

/* The first entry of L matching S with fnmatch FLAGS, or NULL. */
static const char *
list_match(const struct mcp_policy_list *l, const char *s, int flags)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], s, flags) == 0)
			return l->v[i];
	return NULL;
}

/*
 * S must be matched by the list at OFF of every layer that gives it.  When
 * NEED_ONE, at least one layer must give it (a grant), otherwise a policy
 * silent about it lets everything through (a filter).
 */
static int
layered_allow(const struct mcp_policy *p, size_t off, const char *s, int flags,
              int need_one, const char *what, char *why, size_t n)
{
	const struct mcp_policy_list *l;
	char src[512];
	size_t i;
	int seen = 0;

	for (i = 0; i < p->nlayers; i++) {
		l = (const struct mcp_policy_list
		         *)((const char *)&p->layers[i] + off);
		if (!l->set)
			continue;
		seen = 1;
		if (list_match(l, s, flags) == NULL) {
			snprintf(
			    why, n, "not in %s at %s", what,
			    mcp_policy_src_format(&l->src, src, sizeof(src)));
			return 0;
		}
	}
	if (!seen && need_one) {
		snprintf(why, n, "no %s in the policy grants it", what);
		return 0;
	}
	return 1;
}

/* Deny-lists first, so that an allow anywhere never outranks a deny. */
int
mcp_policy_package(const struct mcp_policy *p, const char *pkg, char *why,
                   size_t n)
{
	const char *m;
	char src[512];
	size_t i;

	/* The deny-lists are the union of all layers, checked first. */
	for (i = 0; i < p->nlayers; i++) {
		const struct mcp_policy_list *d = &p->layers[i].pkg_deny;

		if ((m = list_match(d, pkg, FNM_PATHNAME)) != NULL) {
			snprintf(
			    why, n, "matches policy.packages.deny \"%s\" at %s",
			    m,
			    mcp_policy_src_format(&d->src, src, sizeof(src)));
			return 0;
		}
	}
	return layered_allow(p, offsetof(struct mcp_policy_layer, pkg_allow),
	                     pkg, FNM_PATHNAME, 0, "policy.packages.allow", why,
	                     n);
}

int
mcp_policy_origin(const struct mcp_policy *p, const char *origin, char *why,
                  size_t n)
{
	return layered_allow(p, offsetof(struct mcp_policy_layer, origins),
	                     origin ? origin : "none", 0, 0,
	                     "policy.origins.allow", why, n);
}

int
mcp_policy_registry(const struct mcp_policy *p, const char *registry, char *why,
                    size_t n)
{
	return layered_allow(p, offsetof(struct mcp_policy_layer, registries),
	                     registry ? registry : "none", 0, 0,
	                     "policy.registries.allow", why, n);
}

int
mcp_policy_env_forbidden(const char *name)
{
	size_t i;

	for (i = 0; env_forbidden[i] != NULL; i++)
		if (fnmatch(env_forbidden[i], name, 0) == 0)
			return 1;
	return 0;
}

/*
 * A variable is granted when every layer that speaks about the environment
 * lists it in allow or secrets; it is a secret if any layer says so.  The
 * never-passed list comes first and no policy can override it.
 */
int
mcp_policy_env(const struct mcp_policy *p, const char *name, int *secret,
               char *why, size_t n)
{
	const struct mcp_policy_layer *l;
	char src[512];
	size_t i;
	int seen = 0;

	*secret = 0;
	if (mcp_policy_env_forbidden(name)) {
		snprintf(
		    why, n,
		    "%s changes how programs load or run and is never passed",
		    name);
		return 0;
	}
	for (i = 0; i < p->nlayers; i++) {
		l = &p->layers[i];
		if (list_match(&l->env_secrets, name, 0) != NULL)
			*secret = 1;
		if (!l->env_allow.set && !l->env_secrets.set)
			continue;
		seen = 1;
		/* Naming a secret grants it: it is passed by name and its
		 * value redacted, which is stricter than a plain variable. */
		if (list_match(&l->env_allow, name, 0) == NULL &&
		    list_match(&l->env_secrets, name, 0) == NULL) {
			snprintf(
			    why, n,
			    "not in policy.environment.allow or .secrets at %s",
			    mcp_policy_src_format(l->env_allow.set
			                              ? &l->env_allow.src
			                              : &l->env_secrets.src,
			                          src, sizeof(src)));
			return 0;
		}
	}
	if (!seen) {
		snprintf(why, n,
		         "no policy.environment in the policy grants it");
		return 0;
	}
	return 1;
}

/* Every layer that grants paths must grant this one with at least the
 * requested access; kernel interfaces are refused before any layer is
 * asked. */
int
mcp_policy_fs(const struct mcp_policy *p, const char *path, unsigned access,
              char *why, size_t n)
{
	const struct mcp_policy_layer *l;
	char src[512];
	size_t i, j;
	int seen = 0, ok;

	for (i = 0; fs_forbidden[i] != NULL; i++)
		if (mcp_policy_path_under(path, fs_forbidden[i])) {
			snprintf(
			    why, n,
			    "%s is a kernel interface and is never granted",
			    fs_forbidden[i]);
			return 0;
		}
	for (i = 0; i < p->nlayers; i++) {
		l = &p->layers[i];
		if (!l->has_fs)
			continue;
		seen = 1;
		ok = 0;
		for (j = 0; j < l->nfs && !ok; j++)
			ok = (mcp_policy_path_under(path, l->fs[j].path) ||
			      (l->fs[j].real != NULL &&
			       mcp_policy_path_under(path, l->fs[j].real))) &&
			     (l->fs[j].access & access) == access;
		if (!ok) {
			snprintf(why, n,
			         "no grant for %s access in "
			         "policy.filesystem.allow at %s",
			         mcp_access_name(access),
			         mcp_policy_src_format(&l->fs_src, src,
			                               sizeof(src)));
			return 0;
		}
	}
	if (!seen) {
		snprintf(why, n,
		         "no policy.filesystem.allow in the policy grants it");
		return 0;
	}
	return 1;
}

enum mcp_net_mode
mcp_policy_net_mode(const struct mcp_policy *p)
{
	size_t i;

	/* A list of destinations anywhere means the network is filtered:
	 * "host" would let the server past the list. */
	if (p->net_mode == MCP_NET_HOST)
		for (i = 0; i < p->nlayers; i++)
			if (p->layers[i].net_allow.set)
				return MCP_NET_ALLOWLIST;
	return p->net_mode;
}

/* Does policy entry PAT cover the requested REQ (both "host:port")? */
static int
net_covers(const char *pat, const char *req)
{
	size_t phl, rhl;
	const char *pp, *rp;
	char ph[256], rh[256];
	size_t i;

	if (!hostport_split(pat, 1, &phl, &pp) ||
	    !hostport_split(req, 1, &rhl, &rp) || phl >= sizeof(ph) ||
	    rhl >= sizeof(rh))
		return 0;
	if (strcmp(pp, "*") != 0 && strcmp(pp, rp) != 0)
		return 0;
	/* Host names compare without case (RFC 4343). */
	for (i = 0; i < phl; i++)
		ph[i] = (char)tolower((unsigned char)pat[i]);
	ph[phl] = '\0';
	for (i = 0; i < rhl; i++)
		rh[i] = (char)tolower((unsigned char)req[i]);
	rh[rhl] = '\0';
	if (ph[0] == '*') {
		/* "*.d" covers "x.d" and "*.x.d" and "*.d", never "d". */
		const char *suf = ph + 1; /* ".d" */
		const char *h = rh[0] == '*' ? rh + 1 : rh;
		size_t sl = strlen(suf), hl = strlen(h);

		if (rh[0] == '*')
			return hl >= sl && strcmp(h + hl - sl, suf) == 0;
		return hl > sl && strcmp(h + hl - sl, suf) == 0;
	}
	return strcmp(ph, rh) == 0;
}

/* Mode first (none refuses everything), then every layer's list. */
int
mcp_policy_net(const struct mcp_policy *p, const char *dest,
               enum mcp_net_mode *mode, char *why, size_t n)
{
	const struct mcp_policy_list *l;
	char src[512];
	size_t i, j;
	int seen = 0, ok;

	*mode = mcp_policy_net_mode(p);
	if (*mode == MCP_NET_NONE) {
		snprintf(
		    why, n, "network mode is none (%s)",
		    mcp_policy_src_format(&p->net_mode_src, src, sizeof(src)));
		return 0;
	}
	for (i = 0; i < p->nlayers; i++) {
		l = &p->layers[i].net_allow;
		if (!l->set)
			continue;
		seen = 1;
		ok = 0;
		for (j = 0; j < l->n && !ok; j++)
			ok = net_covers(l->v[j], dest);
		if (!ok) {
			snprintf(
			    why, n, "not in policy.network.allow at %s",
			    mcp_policy_src_format(&l->src, src, sizeof(src)));
			return 0;
		}
	}
	if (!seen && *mode == MCP_NET_ALLOWLIST) {
		snprintf(why, n,
		         "network mode is allowlist but no "
		         "policy.network.allow lists it");
		return 0;
	}
	return 1;
}

int
mcp_policy_oci_accepted(const struct mcp_policy *p, const char *gap, char *src,
                        size_t n)
{
	size_t i, o = 0;
	char one[512];

	src[0] = '\0';
	if (!in_names(p->oci_accept, p->noci_accept, gap)) {
		for (i = 0; i < p->nlayers; i++) {
			const struct mcp_policy_list *a =
			    &p->layers[i].oci_accept;

			if (!a->set ||
			    in_names((const char **)a->v, a->n, gap))
				continue;
			snprintf(src, n, "not in policy.oci.accept (%s)",
			         mcp_policy_src_format(&a->src, one,
			                               sizeof(one)));
			break;
		}
		if (src[0] == '\0')
			snprintf(src, n, "no policy.oci.accept accepts it");
		return 0;
	}
	for (i = 0; i < p->nlayers; i++) {
		const struct mcp_policy_list *a = &p->layers[i].oci_accept;

		if (!a->set)
			continue;
		o += (size_t)snprintf(
		    src + o, o < n ? n - o : 0, "%s%s", o ? ", " : "",
		    mcp_policy_src_format(&a->src, one, sizeof(one)));
	}
	return 1;
}
