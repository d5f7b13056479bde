/*
 * manifest.c: the manifest validator and normaliser.
 *
 * Invariant: every member the later stages use has been checked for type,
 * range and syntax here, and reaches them only through the normalised
 * "server" member, so mcp-policy and mcp-exec never see the two manifest
 * formats nor an unchecked value.  Numbers are checked as integers of
 * jansson's json_int_t (64 bits) before any arithmetic, and every unit
 * conversion is done with an overflow check: a limit never wraps, never
 * truncates and never becomes "unlimited".
 */
#include <mcp-config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "manifest.h"
#include "ref.h"
#include "units.h"
#include "xalloc.h"

const char *const mcp_manifest_default_interpreters[] = {"node", "python3",
                                                         "python", NULL};

/* Package runners fetch and run code at run time: never a command. */
static const char *const runners[] = {"npx",  "uvx",  "uv",   "pip", "pip3",
                                      "pnpm", "yarn", "bunx", NULL};

/* Upper bounds that no real server needs; above them a value is refused
 * rather than clamped, so a typo is seen and not silently obeyed. */
#define MAX_CPU_MILLICORES 1000000LL /* 1000 CPUs */
#define MAX_PIDS 4194304LL           /* PID_MAX_LIMIT */
#define MAX_FDS 1073741816LL         /* the kernel's largest nr_open */
#define MAX_STR 4096                 /* command, args, paths */
#define MAX_LIST 4096                /* elements of any array */

/* A JSON path being built, e.g. "entrypoints[1].arch". */
struct jpath {
	char s[256];
};

/* Append S to P (truncating: paths are for messages only). */
static void
jp_cat(struct jpath *p, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(p->s) - 1 - *o)
		n = sizeof(p->s) - 1 - *o;
	memcpy(p->s + *o, s, n);
	*o += n;
	p->s[*o] = '\0';
}

static const char *
jp(struct jpath *p, const char *base, const char *key)
{
	char tmp[sizeof(p->s)];
	size_t o = 0;

	/* BASE may be P's own buffer. */
	snprintf(tmp, sizeof(tmp), "%s", base ? base : "");
	p->s[0] = '\0';
	jp_cat(p, &o, tmp);
	if (tmp[0] != '\0')
		jp_cat(p, &o, ".");
	jp_cat(p, &o, key);
	return p->s;
}

static const char *
jpi(struct jpath *p, const char *base, size_t i)
{
	char tmp[sizeof(p->s)], idx[32];
	size_t o = 0;

	snprintf(tmp, sizeof(tmp), "%s", base);
	snprintf(idx, sizeof(idx), "[%zu]", i);
	p->s[0] = '\0';
	jp_cat(p, &o, tmp);
	jp_cat(p, &o, idx);
	return p->s;
}

/* Record "PATH: message" as a verification error; returns -1. */
static int __attribute__((format(printf, 3, 4)))
bad(struct mcp_err *e, const char *path, const char *fmt, ...)
{
	char msg[MCP_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mcp_err_set(e, MCP_ERR_VERIFY, "%s: %s", path, msg);
}
#ifdef __clang_analyzer__
/* The analyser does not follow variadic calls: see common/err.h. */
#define bad(...) (bad(__VA_ARGS__), -1)
#endif

/* For messages: "must be a string, not an integer". */
static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

/* 1 if S holds a C0 control, DEL or a C1 control (U+0080..U+009F); jansson
 * already guarantees valid UTF-8. */
static int
has_control(const char *s)
{
	return mcp_text_problem(s) != NULL;
}

/* Exact, case-sensitive: "Node" is not "node". */
static int
in_list(const char *s, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Exported for the tests and for callers that check a bare name. */
int
mcp_manifest_is_runner(const char *name)
{
	return in_list(name, runners);
}

/*
 * Member KEY of OBJ: *OUT is NULL when absent (or JSON null and NULL_OK).
 * A member that is present must be of type TYPE.
 */
static int
member(const json_t *obj, const char *base, const char *key, json_type type,
       int required, const json_t **out, struct mcp_err *e)
{
	struct jpath p;
	const json_t *v = json_object_get(obj, key);
	static const char *const names[] = {
	    [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
	    [JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
	    [JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
	    [JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
	};

	*out = NULL;
	if (v == NULL) {
		if (required)
			return bad(e, jp(&p, base, key), "missing");
		return 0;
	}
	if (type == JSON_TRUE ? !json_is_boolean(v) : json_typeof(v) != type)
		return bad(e, jp(&p, base, key), "must be %s, not %s",
		           names[type], type_name(v));
	*out = v;
	return 0;
}

/* A string member, at most MAX_STR bytes (jansson has checked UTF-8 and
 * refused \u0000, so the string is a valid C string).  A required one is
 * never NULL after a 0 return: member() refuses it when missing, which
 * clang-tidy's analyser does not follow this deep (NOLINT "see str_member"). */
static int
str_member(const json_t *obj, const char *base, const char *key, int required,
           const char **out, struct mcp_err *e)
{
	const json_t *v;
	struct jpath p;

	*out = NULL;
	if (member(obj, base, key, JSON_STRING, required, &v, e) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (json_string_length(v) > MAX_STR)
		return bad(e, jp(&p, base, key), "longer than %d bytes",
		           MAX_STR);
	*out = json_string_value(v);
	return 0;
}

/*
 * jansson keeps integers and reals apart: 1.0 is a real and is refused
 * where an integer is meant, and an integer beyond json_int_t fails the
 * parse itself, so no value is ever rounded here.
 */
/* A positive integer at most MAX, at PATH. */
static int
pos_int(const json_t *v, const char *path, long long max, long long *out,
        struct mcp_err *e)
{
	long long n;

	if (json_is_real(v))
		return bad(e, path,
		           "must be an integer, not a fractional number");
	if (!json_is_integer(v))
		return bad(e, path, "must be an integer, not %s", type_name(v));
	n = (long long)json_integer_value(v);
	if (n <= 0)
		return bad(e, path, "must be greater than 0");
	if (n > max)
		return bad(e, path, "must be at most %lld", max);
	*out = n;
	return 0;
}

/* Lexical only: the tree does not exist yet when manifests are checked;
 * the caller re-checks against the tree with RESOLVE_BENEATH. */
char *
mcp_manifest_relpath(const char *s, int allow_root, int resolve_dotdot,
                     const char **why)
{
	size_t len = strlen(s), o = 0, depth = 0, n;
	const char *c, *end;
	char *out;

	if (len == 0) {
		*why = "must not be empty";
		return NULL;
	}
	if (len > MAX_STR) {
		*why = "is too long";
		return NULL;
	}
	if (has_control(s)) {
		*why = "contains control characters";
		return NULL;
	}
	if (s[0] == '/') {
		*why = "must be relative to the bundle root";
		return NULL;
	}
	out = xmalloc(len + 2);
	for (c = s; *c != '\0'; c = *end ? end + 1 : end) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (!resolve_dotdot || depth == 0) {
				*why = "leaves the bundle";
				free(out);
				return NULL;
			}
			/* Drop the last component (and its '/'). */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			depth--;
			continue;
		}
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
		depth++;
	}
	if (o == 0) {
		if (!allow_root) {
			*why = "does not name a file of the bundle";
			free(out);
			return NULL;
		}
		out[o++] = '.';
	}
	out[o] = '\0';
	return out;
}

/* An array of strings at PATH into a new JSON array. */
static int
str_array(const json_t *arr, const char *path, json_t *dst, struct mcp_err *e)
{
	struct jpath p;
	const json_t *v;
	size_t i;

	if (json_array_size(arr) > MAX_LIST)
		return bad(e, path, "more than %d elements", MAX_LIST);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return bad(e, jpi(&p, path, i),
			           "must be a string, not %s", type_name(v));
		if (json_string_length(v) > MAX_STR)
			return bad(e, jpi(&p, path, i), "longer than %d bytes",
			           MAX_STR);
		json_array_append_new(dst, json_string(json_string_value(v)));
	}
	return 0;
}

/* POSIX portable names; 255 bytes is far above any real variable. */
static int
env_name_valid(const char *s)
{
	const char *p;

	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	      *s == '_'))
		return 0;
	for (p = s + 1; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return p - s <= 255;
}

/* "host:port": an exact DNS name (or IPv4 address) or "*.domain". */
static int
netreq_valid(const char *s, const char **why)
{
	const char *colon = strrchr(s, ':'), *h = s, *p;
	size_t label = 0, hl;
	unsigned long port = 0;

	if (colon == NULL || colon == s) {
		*why = "must be host:port";
		return 0;
	}
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || port > 65535) {
			*why = "port must be an integer 1-65535";
			return 0;
		}
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (colon[1] == '\0' || port == 0 || port > 65535 || colon[1] == '0') {
		*why = "port must be an integer 1-65535";
		return 0;
	}
	if (strncmp(h, "*.", 2) == 0)
		h += 2;
	hl = (size_t)(colon - h);
	if (hl == 0 || hl > 253) {
		*why = "host must be a DNS name of 1-253 characters";
		return 0;
	}
	for (p = h; p < colon; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-') {
				*why = "host has an empty or malformed label";
				return 0;
			}
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-')) {
			*why = "host must be a DNS name (letters, digits, '-', "
			       "'.'; '*.' only as a prefix)";
			return 0;
		}
		if (*p == '-' && label == 0) {
			*why = "host has an empty or malformed label";
			return 0;
		}
		if (++label > 63) {
			*why = "host has a label longer than 63 characters";
			return 0;
		}
	}
	if (label == 0 || colon[-1] == '-') {
		*why = "host has an empty or malformed label";
		return 0;
	}
	return 1;
}

/* network[]: each "host:port" checked, hosts folded to lower case. */
static int
network_list(const json_t *arr, const char *path, json_t *dst,
             struct mcp_err *e)
{
	struct jpath p;
	const json_t *v;
	const char *why;
	size_t i, k;
	char *lower;

	if (json_array_size(arr) > MAX_LIST)
		return bad(e, path, "more than %d elements", MAX_LIST);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return bad(e, jpi(&p, path, i),
			           "must be a string, not %s", type_name(v));
		if (!netreq_valid(json_string_value(v), &why))
			return bad(e, jpi(&p, path, i), "%s", why);
		/* DNS names are case-insensitive: compare them in one case. */
		lower = xstrdup(json_string_value(v));
		for (k = 0; lower[k] != '\0'; k++)
			if (lower[k] >= 'A' && lower[k] <= 'Z')
				lower[k] = (char)(lower[k] - 'A' + 'a');
		json_array_append_new(dst, json_string(lower));
		free(lower);
	}
	return 0;
}

/* environment[]: names only; values are the policy's business. */
static int
env_list(const json_t *arr, const char *path, json_t *dst, struct mcp_err *e)
{
	struct jpath p;
	const json_t *v;
	size_t i;

	if (json_array_size(arr) > MAX_LIST)
		return bad(e, path, "more than %d elements", MAX_LIST);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return bad(e, jpi(&p, path, i),
			           "must be a string, not %s", type_name(v));
		if (!env_name_valid(json_string_value(v)))
			return bad(
			    e, jpi(&p, path, i),
			    "must be a variable name ([A-Za-z_][A-Za-z0-9_]*)");
		json_array_append_new(dst, json_string(json_string_value(v)));
	}
	return 0;
}

/*
 * One filesystem request S at PATH with ACCESS (or NULL: parse an optional
 * ":ro"/":rw" suffix).  Absolute host paths must not contain ".." (whose
 * meaning depends on symlinks on the host); relative ones are resolved
 * lexically and must stay inside the bundle.
 */
static int
fs_entry(const char *s, const char *path, const char *access, json_t *dst,
         struct mcp_err *e)
{
	const char *why = "is invalid", *acc = access;
	char *copy = xstrdup(s), *norm = NULL;
	size_t len = strlen(copy);
	json_t *o;

	if (acc == NULL) {
		acc = "ro";
		if (len > 3 && (strcmp(copy + len - 3, ":ro") == 0 ||
		                strcmp(copy + len - 3, ":rw") == 0)) {
			acc = copy[len - 1] == 'o' ? "ro" : "rw";
			copy[len - 3] = '\0';
		}
	}
	if (copy[0] == '/') {
		if (has_control(copy)) {
			free(copy);
			return bad(e, path, "contains control characters");
		}
		norm = copy[1] == '\0'
		           ? xstrdup(".")
		           : mcp_manifest_relpath(copy + 1, 1, 0, &why);
		if (norm == NULL && strcmp(why, "leaves the bundle") == 0)
			why = "must not contain \"..\"";
		if (norm != NULL) {
			char *abs = xasprintf(
			    "/%s", strcmp(norm, ".") == 0 ? "" : norm);

			free(norm);
			norm = abs;
		}
	} else {
		norm = mcp_manifest_relpath(copy, 1, 1, &why);
	}
	free(copy);
	if (norm == NULL)
		return bad(e, path, "%s", why);
	o = json_pack("{s:s, s:s}", "path", norm, "access", acc);
	free(norm);
	if (o == NULL)
		mcp_oom();
	json_array_append_new(dst, o);
	return 0;
}

/* filesystem[]: ACCESS NULL means "parse the :ro/:rw suffix". */
static int
fs_list(const json_t *arr, const char *path, const char *access, json_t *dst,
        struct mcp_err *e)
{
	struct jpath p;
	const json_t *v;
	size_t i;

	if (json_array_size(arr) > MAX_LIST)
		return bad(e, path, "more than %d elements", MAX_LIST);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return bad(e, jpi(&p, path, i),
			           "must be a string, not %s", type_name(v));
		if (fs_entry(json_string_value(v), jpi(&p, path, i), access,
		             dst, e) < 0)
			return -1;
	}
	return 0;
}

/* schema_version: a string "1", "1.N" or "1.N.M", or the number 1 / 1.N. */
static int
schema_version(const json_t *root, struct mcp_manifest *m, struct mcp_err *e)
{
	const json_t *v = json_object_get(root, "schema_version");
	const char *s, *p;
	char buf[64];
	int dots = 0;

	if (v == NULL)
		return bad(e, "schema_version", "missing");
	if (json_is_integer(v)) {
		if (json_integer_value(v) != 1)
			return bad(
			    e, "schema_version",
			    "unsupported major version %" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		m->schema_version = xstrdup("1");
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (!(d >= 1.0 && d < 2.0))
			return bad(e, "schema_version",
			           "unsupported major version");
		snprintf(buf, sizeof(buf), "%.6g", d);
		if (strchr(buf, '.') == NULL)
			snprintf(buf, sizeof(buf), "%.1f", d);
		m->schema_version = xstrdup(buf);
		return 0;
	}
	if (!json_is_string(v))
		return bad(e, "schema_version",
		           "must be a string or a number, not %s",
		           type_name(v));
	s = json_string_value(v);
	/* Digits and up to two dots, each part non-empty, no leading zeros
	 * in the major part. */
	if (*s == '\0' || json_string_length(v) > 32)
		goto malformed;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (p == s || p[1] == '\0' || p[1] == '.' || ++dots > 2)
				goto malformed;
		} else if (*p < '0' || *p > '9') {
			goto malformed;
		}
	}
	if (!(s[0] == '1' && (s[1] == '\0' || s[1] == '.'))) {
		if (s[0] == '0' && s[1] != '\0' && s[1] != '.')
			goto malformed;
		return bad(e, "schema_version",
		           "unsupported major version in \"%.32s\"", s);
	}
	m->schema_version = xstrdup(s);
	return 0;
malformed:
	return bad(e, "schema_version",
	           "must be a version number such as \"1\" or \"1.0\"");
}

/* package.{id, version, git_sha}: the same in both formats. */
static int
package(const json_t *root, struct mcp_manifest *m, struct mcp_err *e)
{
	const json_t *pkg, *gs;
	const char *s;

	if (member(root, "", "package", JSON_OBJECT, 1, &pkg, e) < 0)
		return -1;
	if (str_member(pkg, "package", "id", 1, &s, e) < 0)
		return -1;
	if (!mcp_pkgid_valid(s))
		return bad(
		    e, "package.id",
		    "must be ORG/NAME (1-64 characters of [A-Za-z0-9_-] each, "
		    "starting with a letter or digit)");
	m->package = xstrdup(s);
	if (str_member(pkg, "package", "version", 1, &s, e) < 0)
		return -1;
	/* Set, see str_member:
	 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	if (*s == '\0')
		return bad(e, "package.version", "must not be empty");
	if (!mcp_semver_valid(s))
		return bad(e, "package.version",
		           "must be a semantic version (semver 2.0.0)");
	m->version = xstrdup(s);
	gs = json_object_get(pkg, "git_sha");
	if (gs != NULL && !json_is_null(gs)) {
		if (!json_is_string(gs))
			return bad(e, "package.git_sha",
			           "must be a string, not %s", type_name(gs));
		if (!mcp_gitsha_valid(json_string_value(gs)))
			return bad(e, "package.git_sha",
			           "must be 40 lowercase hex digits");
		m->git_sha = xstrdup(json_string_value(gs));
	}
	return 0;
}

/* os/arch enumerations. */
static int
check_os(const char *s, const char *path, struct mcp_err *e)
{
	static const char *const oses[] = {"linux", "darwin", "windows", NULL};

	if (!in_list(s, oses))
		return bad(e, path, "must be linux, darwin or windows");
	return 0;
}

static int
check_arch(const char *s, const char *path, struct mcp_err *e)
{
	static const char *const arches[] = {"amd64", "arm64", NULL};

	if (!in_list(s, arches))
		return bad(e, path, "must be amd64 or arm64");
	return 0;
}

/*
 * The selected entrypoint's command at PATH: a bare allowlisted
 * interpreter, or a path inside the bundle.  Runners are refused by name
 * (whatever the allowlist says) because they download code at run time.
 */
static int
command(const char *cmd, const char *path, const char *const *interp,
        struct mcp_manifest *m, struct mcp_err *e)
{
	const char *why;

	m->command_at = xstrdup(path);
	if (*cmd == '\0')
		return bad(e, path, "must not be empty");
	if (has_control(cmd))
		return bad(e, path, "contains control characters");
	if (strchr(cmd, '/') == NULL) {
		if (mcp_manifest_is_runner(cmd))
			return bad(
			    e, path,
			    "\"%s\" is a package runner that downloads code at "
			    "run time; a verified package must not fetch "
			    "unverified code",
			    cmd);
		if (in_list(cmd, interp)) {
			m->interpreter = xstrdup(cmd);
			return 0;
		}
	}
	m->command_path = mcp_manifest_relpath(cmd, 0, 0, &why);
	if (m->command_path == NULL)
		return bad(e, path, "%s", why);
	return 0;
}

/* The working directory, "." when absent; it must be a directory of
 * the tree, which the caller checks after extraction. */
static int
workdir(const char *s, struct mcp_manifest *m, struct mcp_err *e)
{
	const char *why;

	m->workdir = mcp_manifest_relpath(s ? s : ".", 1, 0, &why);
	if (m->workdir == NULL)
		return bad(e, "entrypoint.workdir", "%s", why);
	return 0;
}

/* The entrypoint member in the documented order; "s:o" steals ARGS and
 * ENV. */
static json_t *
new_entrypoint(const char *os, const char *arch, const char *cmd, json_t *args,
               json_t *env, const char *wd)
{
	json_t *ep =
	    json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "os", os, "arch", arch,
	              "command", cmd, "args", args, "env", env, "workdir", wd);

	if (ep == NULL)
		mcp_oom();
	return ep;
}

/* jansson fails here only for lack of memory. */
static void
set_new(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) < 0)
		mcp_oom();
}

/* ---- client format ---- */

static int
client_entrypoints(const json_t *root, const char *os, const char *arch,
                   const char *const *interp, struct mcp_manifest *m,
                   json_t *server, struct mcp_err *e)
{
	const json_t *eps, *ep, *a;
	const char *eos, *earch, *cmd;
	struct jpath base, p;
	size_t i, sel = 0;
	int found = 0;
	json_t *args;

	if (member(root, "", "entrypoints", JSON_ARRAY, 1, &eps, e) < 0)
		return -1;
	if (json_array_size(eps) == 0)
		return bad(e, "entrypoints", "must not be empty");
	if (json_array_size(eps) > MAX_LIST)
		return bad(e, "entrypoints", "more than %d elements", MAX_LIST);
	/* Every entry must be well formed, even those for other systems. */
	json_array_foreach(eps, i, ep)
	{
		jpi(&base, "entrypoints", i);
		if (!json_is_object(ep))
			return bad(e, base.s, "must be an object, not %s",
			           type_name(ep));
		if (str_member(ep, base.s, "os", 1, &eos, e) < 0 ||
		    check_os(eos, jp(&p, base.s, "os"), e) < 0)
			return -1;
		if (str_member(ep, base.s, "arch", 1, &earch, e) < 0 ||
		    check_arch(earch, jp(&p, base.s, "arch"), e) < 0)
			return -1;
		if (str_member(ep, base.s, "command", 1, &cmd, e) < 0)
			return -1;
		/* Set, see str_member:
		 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		if (*cmd == '\0')
			return bad(e, jp(&p, base.s, "command"),
			           "must not be empty");
		if (member(ep, base.s, "args", JSON_ARRAY, 0, &a, e) < 0)
			return -1;
		args = json_array();
		if (a != NULL &&
		    str_array(a, jp(&p, base.s, "args"), args, e) < 0) {
			json_decref(args);
			return -1;
		}
		json_decref(args);
		if (strcmp(eos, os) == 0 && strcmp(earch, arch) == 0) {
			/* Two candidates would make the choice depend on
			 * the order readers happen to use. */
			if (found)
				return bad(e, base.s,
				           "a second entrypoint for %s/%s", os,
				           arch);
			found = 1;
			sel = i;
		}
	}
	if (!found)
		return bad(e, "entrypoints", "no entrypoint for %s/%s", os,
		           arch);

	ep = json_array_get(eps, sel);
	jpi(&base, "entrypoints", sel);
	cmd = json_string_value(json_object_get(ep, "command"));
	if (command(cmd, jp(&p, base.s, "command"), interp, m, e) < 0)
		return -1;
	if (workdir(NULL, m, e) < 0)
		return -1;
	args = json_array();
	a = json_object_get(ep, "args");
	if (a != NULL)
		str_array(a, "args", args, e); /* checked above */
	set_new(server, "entrypoint",
	        new_entrypoint(os, arch, cmd, args, json_object(), m->workdir));
	return 0;
}

/* transport: stdio, or http with a port (the server listens there). */
static int
client_transport(const json_t *root, json_t *server, struct mcp_err *e)
{
	const json_t *t, *port;
	const char *type;
	long long n;

	if (member(root, "", "transport", JSON_OBJECT, 1, &t, e) < 0 ||
	    str_member(t, "transport", "type", 1, &type, e) < 0)
		return -1;
	/* Set, see str_member:
	 * NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
	if (strcmp(type, "stdio") == 0) {
		set_new(server, "transport",
		        json_pack("{s:s}", "type", "stdio"));
		return 0;
	}
	if (strcmp(type, "http") != 0)
		return bad(e, "transport.type", "must be stdio or http");
	port = json_object_get(t, "port");
	if (port == NULL)
		return bad(e, "transport.port", "missing (required for http)");
	if (pos_int(port, "transport.port", 65535, &n, e) < 0)
		return -1;
	set_new(server, "transport",
	        json_pack("{s:s, s:I}", "type", "http", "port", (json_int_t)n));
	return 0;
}

/* permissions_requested: absent means nothing is requested. */
static int
client_permissions(const json_t *root, json_t *perms, struct mcp_err *e)
{
	const char *base = "permissions_requested";
	const json_t *pr, *v;
	struct jpath p;

	if (member(root, "", base, JSON_OBJECT, 0, &pr, e) < 0)
		return -1;
	if (pr == NULL)
		return 0;
	if (member(pr, base, "network", JSON_ARRAY, 0, &v, e) < 0 ||
	    (v && network_list(v, jp(&p, base, "network"),
	                       json_object_get(perms, "network"), e) < 0))
		return -1;
	if (member(pr, base, "environment", JSON_ARRAY, 0, &v, e) < 0 ||
	    (v && env_list(v, jp(&p, base, "environment"),
	                   json_object_get(perms, "environment"), e) < 0))
		return -1;
	if (member(pr, base, "subprocess", JSON_TRUE, 0, &v, e) < 0)
		return -1;
	if (v != NULL)
		set_new(perms, "subprocess", json_boolean(json_is_true(v)));
	if (member(pr, base, "filesystem", JSON_ARRAY, 0, &v, e) < 0 ||
	    (v && fs_list(v, jp(&p, base, "filesystem"), NULL,
	                  json_object_get(perms, "filesystem"), e) < 0))
		return -1;
	return 0;
}

/* FORMATS.md: an integer and K, M or G (or Ki, Mi, Gi), never a bare
 * byte count, which a reader could take for megabytes. */
static int
has_unit(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[n - 1] == 'i')
		n--;
	return n >= 2 &&
	       (s[n - 1] == 'K' || s[n - 1] == 'M' || s[n - 1] == 'G');
}

/*
 * limits_recommended, converted to the units of the verified document
 * (millicores, bytes, milliseconds).  Only what the manifest asks for is
 * emitted: mcp-policy fills the defaults and applies its caps.
 */
static int
client_limits(const json_t *root, json_t *limits, struct mcp_err *e)
{
	const char *base = "limits_recommended";
	const json_t *lr, *v;
	struct jpath p;
	long long n;
	uint64_t u;

	if (member(root, "", base, JSON_OBJECT, 0, &lr, e) < 0)
		return -1;
	if (lr == NULL)
		return 0;
	if ((v = json_object_get(lr, "max_cpu")) != NULL) {
		if (pos_int(v, jp(&p, base, "max_cpu"), MAX_CPU_MILLICORES, &n,
		            e) < 0)
			return -1;
		set_new(limits, "cpu_millicores", json_integer(n));
	}
	if ((v = json_object_get(lr, "max_memory")) != NULL) {
		jp(&p, base, "max_memory");
		if (!json_is_string(v))
			return bad(e, p.s,
			           "must be a string such as \"512M\", not %s",
			           type_name(v));
		if (!has_unit(json_string_value(v)) ||
		    mcp_size_parse(json_string_value(v), &u) < 0)
			return bad(e, p.s,
			           "must be a positive integer with K, M or G "
			           "(\"512M\") that fits in 64 bits");
		if (u > (uint64_t)INT64_MAX)
			return bad(e, p.s, "is too large");
		set_new(limits, "memory_bytes", json_integer((json_int_t)u));
	}
	if ((v = json_object_get(lr, "max_pids")) != NULL) {
		if (pos_int(v, jp(&p, base, "max_pids"), MAX_PIDS, &n, e) < 0)
			return -1;
		set_new(limits, "pids", json_integer(n));
	}
	if ((v = json_object_get(lr, "max_fds")) != NULL) {
		if (pos_int(v, jp(&p, base, "max_fds"), MAX_FDS, &n, e) < 0)
			return -1;
		set_new(limits, "fds", json_integer(n));
	}
	if ((v = json_object_get(lr, "timeout")) != NULL) {
		jp(&p, base, "timeout");
		if (!json_is_string(v))
			return bad(e, p.s,
			           "must be a string such as \"5m\", not %s",
			           type_name(v));
		if (mcp_duration_parse(json_string_value(v), &u) < 0)
			return bad(e, p.s,
			           "must be a positive duration of h, m, s, ms "
			           "(\"1h30m\") that fits in 64 bits");
		if (u > (uint64_t)INT64_MAX)
			return bad(e, p.s, "is too large");
		set_new(limits, "timeout_ms", json_integer((json_int_t)u));
	}
	return 0;
}

/* bundle: the digest and size that bind this manifest to one bundle;
 * the caller compares them with the real bundle. */
static int
client_bundle(const json_t *root, struct mcp_manifest *m, struct mcp_err *e)
{
	const json_t *b, *v;
	const char *d;
	long long n;

	if (member(root, "", "bundle", JSON_OBJECT, 1, &b, e) < 0 ||
	    str_member(b, "bundle", "digest", 1, &d, e) < 0)
		return -1;
	if (!mcp_digest_valid_sha256(d))
		return bad(e, "bundle.digest",
		           "must be sha256: and 64 lowercase hex digits");
	v = json_object_get(b, "size_bytes");
	if (v == NULL)
		return bad(e, "bundle.size_bytes", "missing");
	if (pos_int(v, "bundle.size_bytes", INT64_MAX, &n, e) < 0)
		return -1;
	m->bundle_digest = xstrdup(d);
	m->bundle_size = (uint64_t)n;
	return 0;
}

/* ---- hub format ---- */

/*
 * The hub format has one entrypoint and a platform (default
 * linux/amd64); if that is not this machine there is nothing to run.
 */
static int
hub_entrypoint(const json_t *root, const char *os, const char *arch,
               const char *const *interp, struct mcp_manifest *m,
               json_t *server, struct mcp_err *e)
{
	const json_t *rt, *plat = NULL, *ep, *cmdarr, *a, *env, *v;
	const char *pos = "linux", *parch = "amd64", *type, *wd, *cmd, *key;
	struct jpath p;
	json_t *args, *envout;

	if (member(root, "", "runtime", JSON_OBJECT, 1, &rt, e) < 0 ||
	    str_member(rt, "runtime", "type", 0, &type, e) < 0 ||
	    member(rt, "runtime", "platform", JSON_OBJECT, 0, &plat, e) < 0)
		return -1;
	if (plat != NULL) {
		const char *s;

		if (str_member(plat, "runtime.platform", "os", 0, &s, e) < 0 ||
		    (s != NULL && check_os(s, "runtime.platform.os", e) < 0))
			return -1;
		if (s != NULL)
			pos = s;
		if (str_member(plat, "runtime.platform", "arch", 0, &s, e) <
		        0 ||
		    (s != NULL &&
		     check_arch(s, "runtime.platform.arch", e) < 0))
			return -1;
		if (s != NULL)
			parch = s;
	}
	if (strcmp(pos, os) != 0 || strcmp(parch, arch) != 0)
		return bad(e, "runtime.platform",
		           "no entrypoint for %s/%s (the package is for %s/%s)",
		           os, arch, pos, parch);

	if (member(root, "", "entrypoint", JSON_OBJECT, 1, &ep, e) < 0 ||
	    member(ep, "entrypoint", "command", JSON_ARRAY, 1, &cmdarr, e) < 0)
		return -1;
	if (json_array_size(cmdarr) == 0)
		return bad(e, "entrypoint.command", "must not be empty");
	args = json_array();
	if (str_array(cmdarr, "entrypoint.command", args, e) < 0)
		goto fail;
	/* The first element is the command, the rest lead the arguments. */
	cmd = json_string_value(json_array_get(cmdarr, 0));
	if (command(cmd, "entrypoint.command[0]", interp, m, e) < 0)
		goto fail;
	json_array_remove(args, 0);
	if (member(ep, "entrypoint", "args", JSON_ARRAY, 0, &a, e) < 0 ||
	    (a && str_array(a, "entrypoint.args", args, e) < 0))
		goto fail;
	if (str_member(ep, "entrypoint", "workdir", 0, &wd, e) < 0 ||
	    workdir(wd, m, e) < 0)
		goto fail;
	envout = json_object();
	if (member(ep, "entrypoint", "env", JSON_OBJECT, 0, &env, e) < 0)
		goto fail_env;
	if (env != NULL && json_object_size(env) > MAX_LIST) {
		bad(e, "entrypoint.env", "more than %d members", MAX_LIST);
		goto fail_env;
	}
	json_object_foreach((json_t *)env, key, v)
	{
		jp(&p, "entrypoint.env", key);
		if (!env_name_valid(key)) {
			bad(e, p.s,
			    "must be a variable name ([A-Za-z_][A-Za-z0-9_]*)");
			goto fail_env;
		}
		if (!json_is_string(v)) {
			bad(e, p.s, "must be a string, not %s", type_name(v));
			goto fail_env;
		}
		if (json_string_length(v) > MAX_STR) {
			bad(e, p.s, "longer than %d bytes", MAX_STR);
			goto fail_env;
		}
		set_new(envout, key, json_string(json_string_value(v)));
	}
	set_new(server, "entrypoint",
	        new_entrypoint(os, arch, cmd, args, envout, m->workdir));
	return 0;
fail_env:
	json_decref(envout);
fail:
	json_decref(args);
	return -1;
}

/* permissions: the hub's shape mapped onto the client's; subprocess
 * absent means false (fail closed). */
static int
hub_permissions(const json_t *root, json_t *server, json_t *perms,
                struct mcp_err *e)
{
	const json_t *pr, *net, *v, *fs;
	int inbound = 0;

	if (member(root, "", "permissions", JSON_OBJECT, 0, &pr, e) < 0)
		return -1;
	if (pr != NULL) {
		if (member(pr, "permissions", "network", JSON_OBJECT, 0, &net,
		           e) < 0)
			return -1;
		if (net != NULL) {
			if (member(net, "permissions.network", "outbound",
			           JSON_ARRAY, 0, &v, e) < 0 ||
			    (v &&
			     network_list(v, "permissions.network.outbound",
			                  json_object_get(perms, "network"),
			                  e) < 0))
				return -1;
			if (member(net, "permissions.network", "inbound",
			           JSON_TRUE, 0, &v, e) < 0)
				return -1;
			inbound = v != NULL && json_is_true(v);
		}
		if (member(pr, "permissions", "filesystem", JSON_OBJECT, 0, &fs,
		           e) < 0)
			return -1;
		if (fs != NULL) {
			static const char *const modes[][2] = {
			    {"read", "ro"}, {"write", "rw"}, {"execute", "rx"}};
			struct jpath p;
			size_t i;

			for (i = 0; i < 3; i++) {
				if (member(fs, "permissions.filesystem",
				           modes[i][0], JSON_ARRAY, 0, &v,
				           e) < 0 ||
				    (v &&
				     fs_list(
				         v,
				         jp(&p, "permissions.filesystem",
				            modes[i][0]),
				         modes[i][1],
				         json_object_get(perms, "filesystem"),
				         e) < 0))
					return -1;
			}
		}
		if (member(pr, "permissions", "env_vars", JSON_ARRAY, 0, &v,
		           e) < 0 ||
		    (v &&
		     env_list(v, "permissions.env_vars",
		              json_object_get(perms, "environment"), e) < 0))
			return -1;
		if (member(pr, "permissions", "subprocess", JSON_TRUE, 0, &v,
		           e) < 0)
			return -1;
		if (v != NULL)
			set_new(perms, "subprocess",
			        json_boolean(json_is_true(v)));
	}
	/* The hub format has no port: an inbound server listens where its
	 * own arguments say; mcp-policy decides whether to allow it. */
	set_new(server, "transport",
	        json_pack("{s:s}", "type", inbound ? "http" : "stdio"));
	return 0;
}

/* An integer resource in UNIT-sized steps, converted to the base unit. */
static int
hub_scaled(const json_t *res, const char *key, long long max, long long mul,
           json_t *limits, const char *out, struct mcp_err *e)
{
	const json_t *v = json_object_get(res, key);
	struct jpath p;
	long long n;

	if (v == NULL)
		return 0;
	jp(&p, "resources", key);
	if (pos_int(v, p.s, max, &n, e) < 0)
		return -1;
	/* max is chosen so that n * mul cannot overflow. */
	set_new(limits, out, json_integer((json_int_t)(n * mul)));
	return 0;
}

/* resources: memory in MiB and timeout in seconds are scaled with
 * bounds chosen so that the product fits in 63 bits. */
static int
hub_limits(const json_t *root, json_t *limits, struct mcp_err *e)
{
	const json_t *res;

	if (member(root, "", "resources", JSON_OBJECT, 0, &res, e) < 0)
		return -1;
	if (res == NULL)
		return 0;
	if (hub_scaled(res, "cpu_millicores", MAX_CPU_MILLICORES, 1, limits,
	               "cpu_millicores", e) < 0 ||
	    hub_scaled(res, "memory_mb", INT64_MAX / (1024 * 1024), 1024 * 1024,
	               limits, "memory_bytes", e) < 0 ||
	    hub_scaled(res, "max_pids", MAX_PIDS, 1, limits, "pids", e) < 0 ||
	    hub_scaled(res, "max_fds", MAX_FDS, 1, limits, "fds", e) < 0 ||
	    hub_scaled(res, "timeout_seconds", INT64_MAX / 1000, 1000, limits,
	               "timeout_ms", e) < 0)
		return -1;
	return 0;
}

/* Informational members are still type-checked: a manifest that lies
 * about their shape is malformed. */
static int
hub_informational(const json_t *root, struct mcp_err *e)
{
	const json_t *pkg = json_object_get(root, "package"), *cert, *v;
	static const char *const strs[] = {"description", "repository",
	                                   "license", NULL};
	const char *s;
	size_t i;

	for (i = 0; strs[i] != NULL; i++)
		if (str_member(pkg, "package", strs[i], 0, &s, e) < 0)
			return -1;
	if (member(pkg, "package", "keywords", JSON_ARRAY, 0, &v, e) < 0)
		return -1;
	if (member(root, "", "certification", JSON_OBJECT, 0, &cert, e) < 0)
		return -1;
	if (cert != NULL && (v = json_object_get(cert, "level")) != NULL &&
	    (!json_is_integer(v) || json_integer_value(v) < 0 ||
	     json_integer_value(v) > 3))
		return bad(e, "certification.level", "must be an integer 0-3");
	return 0;
}

/* All members NULL: release is safe after a failed parse. */
void
mcp_manifest_init(struct mcp_manifest *m)
{
	memset(m, 0, sizeof(*m));
}

void
mcp_manifest_release(struct mcp_manifest *m)
{
	free(m->schema_version);
	free(m->package);
	free(m->version);
	free(m->git_sha);
	free(m->bundle_digest);
	json_decref(m->server);
	free(m->interpreter);
	free(m->command_path);
	free(m->workdir);
	free(m->command_at);
	memset(m, 0, sizeof(*m));
}

int
mcp_manifest_parse(const json_t *root, const char *os, const char *arch,
                   const char *const *interpreters, struct mcp_manifest *m,
                   struct mcp_err *e)
{
	const char *const *interp =
	    interpreters ? interpreters : mcp_manifest_default_interpreters;
	json_t *server = NULL, *perms, *limits;
	int hub;

	if (!json_is_object(root))
		return bad(e, "(top level)", "must be an object, not %s",
		           type_name(root));
	/* A top-level "runtime" key means the hub format (FORMATS.md). */
	hub = json_object_get(root, "runtime") != NULL;
	/* The identity members come first so that an error message about
	 * a later member can be trusted to concern the right package. */
	m->format = hub ? MCP_MANIFEST_HUB : MCP_MANIFEST_CLIENT;
	if (schema_version(root, m, e) < 0 || package(root, m, e) < 0)
		return -1;

	server = json_object();
	perms = json_pack("{s:[], s:[], s:b, s:[]}", "network", "environment",
	                  "subprocess", 0, "filesystem");
	limits = json_object();
	if (server == NULL || perms == NULL || limits == NULL)
		mcp_oom();
	if (hub) {
		if (hub_informational(root, e) < 0 ||
		    hub_entrypoint(root, os, arch, interp, m, server, e) < 0 ||
		    hub_permissions(root, server, perms, e) < 0 ||
		    hub_limits(root, limits, e) < 0)
			goto fail;
	} else {
		if (client_bundle(root, m, e) < 0 ||
		    client_transport(root, server, e) < 0 ||
		    client_entrypoints(root, os, arch, interp, m, server, e) <
		        0 ||
		    client_permissions(root, perms, e) < 0 ||
		    client_limits(root, limits, e) < 0)
			goto fail;
	}
	set_new(server, "permissions", perms);
	set_new(server, "limits", limits);
	/* Keep the documented member order: transport, entrypoint, ... */
	m->server = server;
	return 0;
fail:
	json_decref(server);
	json_decref(perms);
	json_decref(limits);
	return -1;
}
