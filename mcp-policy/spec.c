/*
 * spec.c: judging an mcp.verified/v1 document by the policy, rule by rule,
 * and building the mcp.spec/v1 (or mcp.denied/v1) document from the
 * outcome.
 *
 * Invariant: the spec grants nothing the policy did not: every host path,
 * destination, variable and the subprocess permission in it went through
 * one of the mcp_policy_* decisions, and limits are always present,
 * positive and at most the caps.  No value of the caller's environment is
 * ever read here: variables are passed by name for mcp-exec to copy.
 */
#include <mcp-config.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "doc.h"
#include "ref.h"
#include "spec.h"
#include "xalloc.h"

/* The members every document carries forward (HACKING.md), so that jq
 * finds the same fields anywhere in a pipeline. */
static const char *const identity[] = {
    "ref",    "package",  "version", "git_sha", "status", "certification_level",
    "origin", "registry", NULL,
};

void
mcp_eval_init(struct mcp_eval *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->warnings = json_array();
	ev->dropped = json_array();
	ev->reasons = json_array();
	if (ev->warnings == NULL || ev->dropped == NULL || ev->reasons == NULL)
		mcp_oom();
}

void
mcp_eval_release(struct mcp_eval *ev)
{
	size_t i;

	for (i = 0; i < ev->nrows; i++) {
		free(ev->rows[i].rule);
		free(ev->rows[i].input);
		free(ev->rows[i].detail);
	}
	free(ev->rows);
	json_decref(ev->warnings);
	json_decref(ev->dropped);
	json_decref(ev->reasons);
	json_decref(ev->doc);
	memset(ev, 0, sizeof(*ev));
}

const char *
mcp_outcome_name(enum mcp_outcome o)
{
	static const char *const names[] = {
	    "allow", "warn", "grant", "default", "clamp", "drop", "deny",
	};

	return names[o];
}

/* jansson fails only for lack of memory: one place to say so. */
static void
jset(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) < 0)
		mcp_oom();
}

static void
jpush(json_t *arr, json_t *v)
{
	if (v == NULL || json_array_append_new(arr, v) < 0)
		mcp_oom();
}

static void row(struct mcp_eval *ev, const char *rule, const char *input,
                enum mcp_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Record one decision; a warning or a refusal also goes to its list. */
static void
row(struct mcp_eval *ev, const char *rule, const char *input,
    enum mcp_outcome o, const char *fmt, ...)
{
	struct mcp_eval_row *r;
	char detail[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ev->rows = xrealloc(ev->rows, (ev->nrows + 1) * sizeof(*ev->rows));
	r = &ev->rows[ev->nrows++];
	r->rule = xstrdup(rule);
	r->input = xstrdup(input);
	r->outcome = o;
	r->detail = xstrdup(detail);
}

/* Allowed, but someone should know: the table, the spec and stderr. */
static void
warn_row(struct mcp_eval *ev, const char *rule, const char *input,
         const char *msg)
{
	row(ev, rule, input, MCP_OUT_WARN, "%s", msg);
	jpush(ev->warnings, json_string(msg));
}

/* Refused: every rule still runs, so all reasons are reported at once
 * (bsdtar's delayed error), and the first does not hide the others. */
static void
deny_row(struct mcp_eval *ev, const char *rule, const char *input,
         const char *msg)
{
	json_t *r = json_object();

	if (r == NULL)
		mcp_oom();
	row(ev, rule, input, MCP_OUT_DENY, "%s", msg);
	jset(r, "rule", json_string(rule));
	jset(r, "message", json_string(msg));
	jpush(ev->reasons, r);
	ev->denied = 1;
}

/* A request the policy does not grant: refused, or dropped by choice. */
static void
ungranted(const struct mcp_policy *p, struct mcp_eval *ev, const char *rule,
          const char *request, const char *why)
{
	char msg[2048];
	json_t *d;

	snprintf(msg, sizeof(msg), "%s %s requested but not granted: %s", rule,
	         request, why);
	if (p->ungranted == MCP_UNGRANTED_DENY) {
		deny_row(ev, rule, request, msg);
		return;
	}
	row(ev, rule, request, MCP_OUT_DROP, "%s", why);
	if ((d = json_object()) == NULL)
		mcp_oom();
	jset(d, "rule", json_string(rule));
	jset(d, "request", json_string(request));
	jset(d, "message", json_string(msg));
	jpush(ev->dropped, d);
}

/* ---- reading the input document ---- */

/* A string member that may be absent or null (NULL), else must be one. */
/* The identity members are null in a standalone verification: absent or
 * null are the same, any other type is a malformed document. */
static int
opt_str(const json_t *in, const char *path, const char *label, const char **out,
        struct mcp_err *e)
{
	const json_t *v = mcp_doc_get(in, path);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: %s: must be a string or null", label,
		                   path);
	*out = json_string_value(v);
	return 0;
}

/* A member that must be an array of strings (absent: empty). */
static int
str_array(const json_t *in, const char *path, const char *label,
          const json_t **out, struct mcp_err *e)
{
	const json_t *v = mcp_doc_get(in, path), *it;
	size_t i;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: %s: must be an array of strings", label,
		                   path);
	for (i = 0; i < json_array_size(v); i++) {
		it = json_array_get(v, i);
		if (!json_is_string(it))
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "%s: %s[%zu]: must be a string",
			                   label, path, i);
	}
	*out = v;
	return 0;
}

/* ---- the rules ---- */

/* package: the package id against packages.allow and packages.deny. */
static void
rule_package(const struct mcp_policy *p, struct mcp_eval *ev, const char *pkg)
{
	char why[1024], msg[2048];

	if (mcp_policy_package(p, pkg, why, sizeof(why))) {
		row(ev, "package", pkg, MCP_OUT_ALLOW, "%s",
		    "allowed by policy.packages");
		return;
	}
	snprintf(msg, sizeof(msg), "package %s is not allowed: %s", pkg, why);
	deny_row(ev, "package", pkg, msg);
}

/* status: the registry's status (or none) against status.allow/.warn. */
static void
rule_status(const struct mcp_policy *p, struct mcp_eval *ev, const char *status)
{
	char src[512], msg[2048];
	int s = status ? mcp_status_parse(status) : MCP_STATUS_NONE;
	const char *name = status ? status : "none";

	mcp_policy_src_format(&p->status_allow_src, src, sizeof(src));
	/* "none" is only the absence of a status, never a value. */
	if (status != NULL && s == MCP_STATUS_NONE)
		s = -1;
	if (s < 0 || !(p->status_allow & (1u << s))) {
		snprintf(msg, sizeof(msg),
		         "status %s is not allowed (policy.status.allow, %s)",
		         name, src);
		deny_row(ev, "status", name, msg);
		return;
	}
	if (p->status_warn & (1u << s)) {
		if (s == MCP_STATUS_NONE)
			snprintf(msg, sizeof(msg),
			         "no registry status (standalone "
			         "verification): allowed with a warning");
		else
			snprintf(msg, sizeof(msg),
			         "status %s: allowed with a warning", name);
		warn_row(ev, "status", name, msg);
		return;
	}
	row(ev, "status", name, MCP_OUT_ALLOW,
	    "allowed by policy.status.allow (%s)", src);
}

/* certification: only the registry's level counts; a document without
 * one (standalone) has nothing vouching for it, so it counts as 0. */
static void
rule_certification(const struct mcp_policy *p, struct mcp_eval *ev,
                   json_int_t level, int known)
{
	char input[64], msg[2048], src[512];

	snprintf(input, sizeof(input), known ? "level %lld" : "level none (0)",
	         (long long)level);
	mcp_policy_src_format(p->cert_mode_src.file ? &p->cert_mode_src
	                                            : &p->cert_min_src,
	                      src, sizeof(src));
	if (p->cert_mode == MCP_CERT_DISABLED) {
		row(ev, "certification", input, MCP_OUT_ALLOW,
		    "not checked (mode disabled, %s)", src);
		return;
	}
	if (level >= (json_int_t)p->cert_min) {
		row(ev, "certification", input, MCP_OUT_ALLOW,
		    "at least the minimum %u (mode %s)", p->cert_min,
		    mcp_cert_mode_name(p->cert_mode));
		return;
	}
	snprintf(msg, sizeof(msg),
	         "certification level %lld below minimum %u (mode %s, %s)",
	         (long long)level, p->cert_min,
	         mcp_cert_mode_name(p->cert_mode), src);
	if (p->cert_mode == MCP_CERT_STRICT)
		deny_row(ev, "certification", input, msg);
	else
		warn_row(ev, "certification", input, msg);
}

/* origin and registry: where the package came from, as filters. */
static void
rule_origin(const struct mcp_policy *p, struct mcp_eval *ev, const char *origin,
            const char *registry)
{
	char why[1024], msg[2048];

	if (mcp_policy_origin(p, origin, why, sizeof(why)))
		row(ev, "origin", origin ? origin : "none", MCP_OUT_ALLOW, "%s",
		    "allowed by policy.origins");
	else {
		snprintf(msg, sizeof(msg), "origin %s is not allowed: %s",
		         origin ? origin : "none", why);
		deny_row(ev, "origin", origin ? origin : "none", msg);
	}
	if (mcp_policy_registry(p, registry, why, sizeof(why)))
		row(ev, "registry", registry ? registry : "none", MCP_OUT_ALLOW,
		    "%s", "allowed by policy.registries");
	else {
		snprintf(msg, sizeof(msg), "registry %s is not allowed: %s",
		         registry ? registry : "none", why);
		deny_row(ev, "registry", registry ? registry : "none", msg);
	}
}

/* Limits: the manifest's value clamped by the cap, else the default. */
static int
rule_limits(const struct mcp_policy *p, struct mcp_eval *ev, const json_t *in,
            const char *label, json_t *out, struct mcp_err *e)
{
	const json_t *lim = mcp_doc_get(in, "server.limits"), *v;
	char rule[64], a[32], b[32], src[512], msg[2048];
	json_int_t x;
	uint64_t val;
	int i;

	if (lim != NULL && !json_is_null(lim) && !json_is_object(lim))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: server.limits: must be an object",
		                   label);
	for (i = 0; i < MCP_LIMIT_N; i++) {
		enum mcp_limit l = (enum mcp_limit)i;
		const char *key = mcp_limit_spec_key(l);

		snprintf(rule, sizeof(rule), "limits.%s", mcp_limit_name(l));
		v = json_is_object(lim) ? json_object_get(lim, key) : NULL;
		if (v == NULL || json_is_null(v)) {
			val = p->def[i];
			row(ev, rule, "(not requested)", MCP_OUT_DEFAULT,
			    "default %s (%s)",
			    mcp_limit_format(l, val, a, sizeof(a)),
			    mcp_policy_src_format(&p->def_src[i], src,
			                          sizeof(src)));
			jset(out, key, json_integer((json_int_t)val));
			continue;
		}
		/* Zero or negative would read as "unlimited" somewhere
		 * downstream: a limit is never switched off. */
		if (!json_is_integer(v) || (x = json_integer_value(v)) <= 0)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s: server.limits.%s: must be a positive integer",
			    label, key);
		val = (uint64_t)x;
		mcp_limit_format(l, val, a, sizeof(a));
		if (val > p->cap[i]) {
			snprintf(msg, sizeof(msg),
			         "limits.%s: the manifest asks for %s, above "
			         "the cap %s (%s); using %s",
			         mcp_limit_name(l), a,
			         mcp_limit_format(l, p->cap[i], b, sizeof(b)),
			         mcp_policy_src_format(&p->cap_src[i], src,
			                               sizeof(src)),
			         b);
			row(ev, rule, a, MCP_OUT_CLAMP, "%s", msg);
			jpush(ev->warnings, json_string(msg));
			val = p->cap[i];
		} else {
			row(ev, rule, a, MCP_OUT_ALLOW,
			    "within the cap %s (%s)",
			    mcp_limit_format(l, p->cap[i], b, sizeof(b)),
			    mcp_policy_src_format(&p->cap_src[i], src,
			                          sizeof(src)));
		}
		jset(out, key, json_integer((json_int_t)val));
	}
	return 0;
}

/* The environment: a fixed base, the package's values, granted names. */
static int
rule_environment(const struct mcp_policy *p, struct mcp_eval *ev,
                 const json_t *in, const char *label, json_t *env, json_t *pass,
                 json_t *secrets, struct mcp_err *e)
{
	const json_t *fixed = mcp_doc_get(in, "server.entrypoint.env"), *v,
	             *req;
	const char *name;
	char why[1024];
	size_t i;
	int secret;

	jset(env, "PATH", json_string(MCP_SPEC_PATH));
	jset(env, "LANG", json_string(MCP_SPEC_LANG));
	jset(env, "HOME", json_string(MCP_SPEC_HOME));
	if (fixed != NULL && !json_is_null(fixed) && !json_is_object(fixed))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: server.entrypoint.env: must be an object", label);
	if (json_is_object(fixed)) {
		/* The package's own values are part of what was verified
		 * (digest-bound) and confined like its code: they are kept. */
		json_object_foreach((json_t *)fixed, name, v)
		{
			if (!mcp_policy_env_name_valid(name) ||
			    !json_is_string(v))
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "%s: server.entrypoint.env: \"%.64s\" must "
				    "be a variable name with a string value",
				    label, name);
			jset(env, name, json_incref((json_t *)v));
			row(ev, "environment", name, MCP_OUT_ALLOW, "%s",
			    "fixed value set by the package");
		}
	}
	if (str_array(in, "server.permissions.environment", label, &req, e) < 0)
		return -1;
	json_array_foreach(req, i, v)
	{
		name = json_string_value(v);
		if (!mcp_policy_env_name_valid(name))
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s: server.permissions.environment[%zu]: not a "
			    "variable name",
			    label, i);
		if (!mcp_policy_env(p, name, &secret, why, sizeof(why))) {
			ungranted(p, ev, "environment", name, why);
			continue;
		}
		/* The caller's value replaces a fixed one: one source of
		 * truth per name in the spec. */
		json_object_del(env, name);
		if (secret) {
			json_t *s = json_object();

			if (s == NULL)
				mcp_oom();
			jset(s, "name", json_string(name));
			jset(s, "as", json_string("env"));
			jpush(secrets, s);
			row(ev, "environment", name, MCP_OUT_GRANT, "%s",
			    "secret, passed by name "
			    "(policy.environment.secrets)");
		} else {
			jpush(pass, json_string(name));
			row(ev, "environment", name, MCP_OUT_GRANT, "%s",
			    "passed through by name "
			    "(policy.environment.allow)");
		}
	}
	return 0;
}

/* Is {PATH, ACCESS} already in the spec's list?  A manifest that asks
 * twice gets one bind, not two. */
static int
has_grant(const json_t *out, const char *path, unsigned access)
{
	const json_t *g;
	size_t i;

	json_array_foreach(out, i, g)
	{
		if (strcmp(json_string_value(json_object_get(g, "path")),
		           path) == 0 &&
		    strcmp(json_string_value(json_object_get(g, "access")),
		           mcp_access_name(access)) == 0)
			return 1;
	}
	return 0;
}

/*
 * filesystem: bundle-relative requests are served by the tree itself (the
 * server sees it read-only at its own path); absolute ones need a grant,
 * checked on the path as written and on where it leads today.
 */
static int
rule_filesystem(const struct mcp_policy *p, struct mcp_eval *ev,
                const json_t *in, const char *label, const char *tree,
                json_t *out, struct mcp_err *e)
{
	const json_t *req = mcp_doc_get(in, "server.permissions.filesystem"),
	             *it;
	const char *path, *acc;
	char why[1024], input[PATH_MAX + 16], *norm = NULL, *rel, *real;
	unsigned access;
	size_t i;
	json_t *g;

	if (req == NULL || json_is_null(req))
		return 0;
	if (!json_is_array(req))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: server.permissions.filesystem: must be an array",
		    label);
	json_array_foreach(req, i, it)
	{
		path = json_string_value(json_object_get(it, "path"));
		acc = json_string_value(json_object_get(it, "access"));
		if (path == NULL || *path == '\0' || acc == NULL ||
		    (access = mcp_access_parse(acc)) == 0)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s: server.permissions.filesystem[%zu]: must be "
			    "{\"path\": string, \"access\": ro, rw, rx or rwx}",
			    label, i);
		snprintf(input, sizeof(input), "%s:%s", path,
		         mcp_access_name(access));
		if (path[0] != '/') {
			/* Bundle-relative: it must stay in the tree, which the
			 * server already sees, read-only. */
			rel = xasprintf("/%s", path);
			norm = mcp_policy_path_norm(rel);
			free(rel);
			if (norm == NULL)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "%s: "
				    "server.permissions.filesystem[%zu].path: "
				    "leaves the bundle tree",
				    label, i);
			free(norm);
			norm = NULL;
			if (access & MCP_ACCESS_W)
				ungranted(p, ev, "filesystem", input,
				          "the bundle tree is read-only");
			else
				row(ev, "filesystem", input, MCP_OUT_GRANT,
				    "inside the bundle tree %s (read-only)",
				    tree);
			continue;
		}
		if ((norm = mcp_policy_path_norm(path)) == NULL)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s: server.permissions.filesystem[%zu].path: "
			    "\"..\" is not allowed",
			    label, i);
		if (!mcp_policy_fs(p, norm, access, why, sizeof(why))) {
			ungranted(p, ev, "filesystem", input, why);
			free(norm);
			continue;
		}
		/*
		 * A symlink on the host may point outside the grant
		 * (/srv/data/x -> /etc): when the path exists, where it
		 * really leads must be granted too, and is what is bound.
		 */
		real = realpath(norm, NULL);
		if (real != NULL && strcmp(real, norm) != 0) {
			if (!mcp_policy_fs(p, real, access, why, sizeof(why))) {
				char w2[2048];

				snprintf(w2, sizeof(w2), "resolves to %s: %s",
				         real, why);
				ungranted(p, ev, "filesystem", input, w2);
				free(real);
				free(norm);
				continue;
			}
			row(ev, "filesystem", input, MCP_OUT_GRANT,
			    "granted by policy.filesystem.allow (resolves to "
			    "%s)",
			    real);
			free(norm);
			norm = real;
		} else {
			free(real);
			row(ev, "filesystem", input, MCP_OUT_GRANT, "%s",
			    "granted by policy.filesystem.allow");
		}
		if (has_grant(out, norm, access)) {
			free(norm);
			norm = NULL;
			continue;
		}
		if ((g = json_object()) == NULL)
			mcp_oom();
		jset(g, "path", json_string(norm));
		jset(g, "access", json_string(mcp_access_name(access)));
		jpush(out, g);
		free(norm);
		norm = NULL;
	}
	return 0;
}

/*
 * 1 if HOST (LEN bytes) is a DNS name mcp-exec's allowlist can enforce:
 * letters, digits and hyphens in labels of 1-63, and a last label that is
 * not all digits (no address).  A wildcard cannot be: the allowlist gives
 * each name its own relay before the server starts (mcp-exec(1)).
 */
static int
exact_host_name(const char *host, size_t len)
{
	size_t i, label = 0;
	int digits = 1;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		char c = (char)(i < len ? host[i] : '.');

		if (c == '.') {
			if (label == 0 || label > 63 || host[i - label] == '-' ||
			    host[i - 1] == '-')
				return 0;
			if (i == len)
				return !digits;
			label = 0;
			digits = 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c < '0' || c > '9')
			digits = 0;
		label++;
	}
	return 0;
}

/* network: each requested destination against the mode and the lists;
 * the spec lists the granted ones only. */
static int
rule_network(const struct mcp_policy *p, struct mcp_eval *ev, const json_t *in,
             const char *label, json_t *out, struct mcp_err *e)
{
	const json_t *req, *it;
	enum mcp_net_mode mode = mcp_policy_net_mode(p);
	const char *dest;
	char why[1024];
	json_t *allow;
	size_t i;

	if (str_array(in, "server.permissions.network", label, &req, e) < 0)
		return -1;
	if ((allow = json_array()) == NULL)
		mcp_oom();
	json_array_foreach(req, i, it)
	{
		dest = json_string_value(it);
		if (!mcp_policy_hostport_valid(dest)) {
			json_decref(allow);
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s: server.permissions.network[%zu]: not "
			    "HOST:PORT",
			    label, i);
		}
		if (!mcp_policy_net(p, dest, &mode, why, sizeof(why))) {
			ungranted(p, ev, "network", dest, why);
			continue;
		}
		if (mode == MCP_NET_ALLOWLIST &&
		    !exact_host_name(dest, (size_t)(strrchr(dest, ':') - dest))) {
			ungranted(p, ev, "network", dest,
			          "mode allowlist enforces exact host names; "
			          "a wildcard or an address cannot be granted");
			continue;
		}
		row(ev, "network", dest, MCP_OUT_GRANT, "granted (mode %s)",
		    mcp_net_mode_name(mode));
		jpush(allow, json_string(dest));
	}
	/* No destination granted: no network at all, whatever the mode. */
	if (json_array_size(allow) == 0)
		mode = MCP_NET_NONE;
	jset(out, "mode", json_string(mcp_net_mode_name(mode)));
	jset(out, "allow", allow);
	return 0;
}

/* subprocess: a boolean request; absent means false (fail closed). */
static int
rule_subprocess(const struct mcp_policy *p, struct mcp_eval *ev,
                const json_t *in, const char *label, int *granted,
                struct mcp_err *e)
{
	const json_t *v = mcp_doc_get(in, "server.permissions.subprocess");
	char src[512], why[1024];

	*granted = 0;
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return 0;
	if (!json_is_true(v))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: server.permissions.subprocess: must be a boolean",
		    label);
	mcp_policy_src_format(&p->subprocess_src, src, sizeof(src));
	if (p->subprocess) {
		*granted = 1;
		row(ev, "subprocess", "true", MCP_OUT_GRANT,
		    "granted by policy.subprocess.allow (%s)", src);
		return 0;
	}
	if (p->subprocess_src.file != NULL)
		snprintf(why, sizeof(why),
		         "policy.subprocess.allow is false (%s)", src);
	else
		snprintf(why, sizeof(why),
		         "no policy.subprocess.allow in the policy grants it");
	ungranted(p, ev, "subprocess", "true", why);
	return 0;
}

/*
 * oci: what an OCI runtime bundle cannot express (mcp-policy(1), "The OCI
 * bundle").  A confinement layer it lacks is a refusal when the isolation
 * floor (isolation.require) requires the layer, a grant it cannot carry
 * always is; either passes only when policy.oci.accept accepts the gap.
 * Nothing is dropped silently: every gap is a row, a warning and an entry
 * of the spec's oci.unexpressed.
 */
static void
rule_oci(const struct mcp_policy *p, struct mcp_eval *ev, const json_t *net,
         const json_t *transport, const json_t *pass, const json_t *secrets,
         json_t *unexpressed)
{
	static const struct {
		const char *gap, *what;
		int layer; /* a confinement layer of isolation.require */
	} gaps[] = {
	    {"landlock", "Landlock (the filesystem and exec rules)", 1},
	    {"timeout", "the wall-clock timeout", 1},
	    {"allowlist", "the network allowlist (DNS stub and relay)", 0},
	    {"inbound", "the http transport's inbound relay", 0},
	    {"secrets", "secrets (values mcp-exec reads at start)", 0},
	    {"pass_env", "variables copied from mcp-exec's environment", 0},
	};
	const char *mode = json_string_value(json_object_get(net, "mode"));
	char src[1024], msg[2048];
	size_t i, j;
	int present, required;

	for (i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		const char *g = gaps[i].gap;

		if (strcmp(g, "allowlist") == 0)
			present = mode != NULL && strcmp(mode, "allowlist") == 0;
		else if (strcmp(g, "inbound") == 0)
			present = strcmp(json_string_value(json_object_get(
			                     transport, "type")),
			                 "http") == 0;
		else if (strcmp(g, "secrets") == 0)
			present = json_array_size(secrets) > 0;
		else if (strcmp(g, "pass_env") == 0)
			present = json_array_size(pass) > 0;
		else
			present = 1;
		if (!present)
			continue;
		jpush(unexpressed, json_string(g));
		required = !gaps[i].layer;
		for (j = 0; gaps[i].layer && j < p->niso_require; j++)
			if (strcmp(p->iso_require[j], g) == 0)
				required = 1;
		if (!required) {
			snprintf(msg, sizeof(msg),
			         "oci: %s is not expressed in the OCI bundle "
			         "(not in policy.isolation.require)",
			         gaps[i].what);
			warn_row(ev, "oci", g, msg);
		} else if (mcp_policy_oci_accepted(p, g, src, sizeof(src))) {
			snprintf(msg, sizeof(msg),
			         "oci: %s is not expressed in the OCI bundle "
			         "(accepted by policy.oci.accept, %s)",
			         gaps[i].what, src);
			warn_row(ev, "oci", g, msg);
		} else {
			snprintf(msg, sizeof(msg),
			         "oci: %s cannot be expressed in an OCI bundle "
			         "and %s: %s",
			         gaps[i].what,
			         gaps[i].layer
			             ? "policy.isolation.require requires it"
			             : "the spec grants it",
			         src);
			deny_row(ev, "oci", g, msg);
		}
	}
}

/* ---- the documents ---- */

/* A JSON array of static names (the isolation lists). */
static json_t *
names_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL)
		mcp_oom();
	for (i = 0; i < n; i++)
		jpush(a, json_string(v[i]));
	return a;
}

/* The kind, the identity members and the digests, as every output has. */
static json_t *
head(const char *kind, const json_t *in)
{
	json_t *d = mcp_doc_new(kind), *v;
	size_t i;

	for (i = 0; identity[i] != NULL; i++) {
		v = json_object_get(in, identity[i]);
		jset(d, identity[i], v ? json_incref(v) : json_null());
	}
	jset(d, "manifest_digest",
	     json_string(mcp_doc_str(in, "manifest.digest")));
	jset(d, "bundle_digest", json_string(mcp_doc_str(in, "bundle.digest")));
	return d;
}

/* Check what every rule relies on, before judging anything. */
static int
check_input(const json_t *in, const char *label, struct mcp_err *e)
{
	static const char *const strs[] = {
	    "ref", "version", "git_sha", "status", "origin", "registry", NULL};
	const char *s, *pkg;
	const json_t *v;
	size_t i;
	char *norm;

	for (i = 0; strs[i] != NULL; i++)
		if (opt_str(in, strs[i], label, &s, e) < 0)
			return -1;
	if ((pkg = mcp_doc_need_str(in, "package", label, MCP_ERR_USAGE, e)) ==
	    NULL)
		return -1;
	if (!mcp_pkgid_valid(pkg))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: package: not ORG/NAME", label);
	v = json_object_get(in, "certification_level");
	if (v != NULL && !json_is_null(v) &&
	    (!json_is_integer(v) || json_integer_value(v) < 0 ||
	     json_integer_value(v) > 3))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: certification_level: must be an "
		                   "integer from 0 to 3 or null",
		                   label);
	if ((s = mcp_doc_need_str(in, "manifest.digest", label, MCP_ERR_USAGE,
	                          e)) == NULL)
		return -1;
	if (!mcp_digest_valid_sha256(s))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: manifest.digest: not sha256:<64 hex>",
		                   label);
	if ((s = mcp_doc_need_str(in, "bundle.digest", label, MCP_ERR_USAGE,
	                          e)) == NULL)
		return -1;
	if (!mcp_digest_valid_sha256(s))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: bundle.digest: not sha256:<64 hex>",
		                   label);
	if ((s = mcp_doc_need_str(in, "tree", label, MCP_ERR_USAGE, e)) == NULL)
		return -1;
	norm = mcp_policy_path_norm(s);
	i = norm != NULL && strcmp(norm, s) == 0 && strcmp(s, "/") != 0;
	free(norm);
	if (!i)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: tree: must be a normalised absolute path", label);
	if (!json_is_object(mcp_doc_get(in, "server")))
		return mcp_err_set(e, MCP_ERR_USAGE, "%s: missing \"server\"",
		                   label);
	v = mcp_doc_get(in, "server.entrypoint.argv");
	if (!json_is_array(v) || json_array_size(v) == 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: server.entrypoint.argv: must be a "
		                   "non-empty array of strings",
		                   label);
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)))
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s: server.entrypoint.argv[%zu]: must be a string",
			    label, i);
	if (json_string_value(json_array_get(v, 0))[0] != '/')
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: server.entrypoint.argv[0]: must be an absolute path",
		    label);
	v = mcp_doc_get(in, "server.permissions");
	if (v != NULL && !json_is_null(v) && !json_is_object(v))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: server.permissions: must be an object",
		                   label);
	return 0;
}

/* cwd: the tree joined with the entrypoint's workdir, never outside. */
static char *
make_cwd(const json_t *in, const char *label, const char *tree,
         struct mcp_err *e)
{
	const char *wd;
	char *rel, *norm, *cwd;

	if (opt_str(in, "server.entrypoint.workdir", label, &wd, e) < 0)
		return NULL;
	if (wd == NULL || *wd == '\0')
		wd = ".";
	if (wd[0] == '/') {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "%s: server.entrypoint.workdir: must be relative "
		            "to the bundle",
		            label);
		return NULL;
	}
	rel = xasprintf("/%s", wd);
	norm = mcp_policy_path_norm(rel);
	free(rel);
	if (norm == NULL) {
		mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: server.entrypoint.workdir: leaves the bundle tree",
		    label);
		return NULL;
	}
	cwd = strcmp(norm, "/") == 0 ? xstrdup(tree)
	                             : xasprintf("%s%s", tree, norm);
	free(norm);
	return cwd;
}

/* The transport is copied whole (an http transport keeps its port);
 * absent means stdio, the only transport mcp-run speaks. */
static json_t *
make_transport(const json_t *in, const char *label, struct mcp_err *e)
{
	const json_t *t = mcp_doc_get(in, "server.transport");
	const char *type;

	if (t == NULL || json_is_null(t))
		return json_pack("{s:s}", "type", "stdio");
	type = json_string_value(json_object_get(t, "type"));
	if (!json_is_object(t) || type == NULL ||
	    (strcmp(type, "stdio") != 0 && strcmp(type, "http") != 0)) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "%s: server.transport.type: must be stdio or http",
		            label);
		return NULL;
	}
	return json_deep_copy(t);
}

/*
 * The rules run in a fixed order (identity, limits, then the grants), so
 * that the table, the reasons and the spec read the same way every time.
 * Only a malformed input is an error; a refusal is a result.
 */
int
mcp_spec_build(const struct mcp_policy *p, const json_t *in, const char *label,
               const char *oci, struct mcp_eval *ev, struct mcp_err *e)
{
	json_t *spec = NULL, *proc = NULL, *env = NULL, *pass = NULL,
	       *secrets = NULL, *fs = NULL, *net = NULL, *limits = NULL,
	       *transport = NULL, *iso = NULL, *sources = NULL,
	       *unexpressed = NULL;
	const json_t *lvl;
	const char *tree, *status, *origin, *registry;
	char *cwd = NULL;
	int subprocess = 0, rc = -1;
	size_t i;

	if (check_input(in, label, e) < 0)
		return -1;
	tree = mcp_doc_str(in, "tree");
	opt_str(in, "status", label, &status, e);
	opt_str(in, "origin", label, &origin, e);
	opt_str(in, "registry", label, &registry, e);
	if ((cwd = make_cwd(in, label, tree, e)) == NULL ||
	    (transport = make_transport(in, label, e)) == NULL)
		goto out;

	env = json_object();
	pass = json_array();
	secrets = json_array();
	fs = json_array();
	net = json_object();
	limits = json_object();
	if (!env || !pass || !secrets || !fs || !net || !limits)
		mcp_oom();

	/* Every rule runs, so a refusal lists every reason at once. */
	rule_package(p, ev, mcp_doc_str(in, "package"));
	rule_status(p, ev, status);
	lvl = json_object_get(in, "certification_level");
	rule_certification(p, ev,
	                   json_is_integer(lvl) ? json_integer_value(lvl) : 0,
	                   json_is_integer(lvl));
	rule_origin(p, ev, origin, registry);
	if (rule_limits(p, ev, in, label, limits, e) < 0 ||
	    rule_environment(p, ev, in, label, env, pass, secrets, e) < 0 ||
	    rule_filesystem(p, ev, in, label, tree, fs, e) < 0 ||
	    rule_network(p, ev, in, label, net, e) < 0 ||
	    rule_subprocess(p, ev, in, label, &subprocess, e) < 0)
		goto out;
	if (oci != NULL) {
		if ((unexpressed = json_array()) == NULL)
			mcp_oom();
		rule_oci(p, ev, net, transport, pass, secrets, unexpressed);
	}

	if (ev->denied) {
		ev->doc = head(MCP_KIND_DENIED, in);
		jset(ev->doc, "reasons", json_incref(ev->reasons));
		rc = 0;
		goto out;
	}

	spec = head(MCP_KIND_SPEC, in);
	jset(spec, "tree", json_string(tree));
	if ((proc = json_object()) == NULL)
		mcp_oom();
	jset(proc, "argv",
	     json_deep_copy(mcp_doc_get(in, "server.entrypoint.argv")));
	jset(proc, "cwd", json_string(cwd));
	jset(proc, "env", env);
	jset(proc, "pass_env", pass);
	jset(proc, "secrets", secrets);
	jset(proc, "umask", json_string(MCP_SPEC_UMASK));
	env = pass = secrets = NULL;
	jset(spec, "process", proc);
	jset(spec, "filesystem", fs);
	jset(spec, "network", net);
	fs = net = NULL;
	jset(spec, "subprocess", json_boolean(subprocess));
	jset(spec, "transport", transport);
	transport = NULL;
	jset(spec, "limits", limits);
	limits = NULL;
	if ((iso = json_object()) == NULL)
		mcp_oom();
	jset(iso, "require", names_array(p->iso_require, p->niso_require));
	jset(iso, "degrade", names_array(p->iso_degrade, p->niso_degrade));
	jset(spec, "isolation", iso);
	/* The policy's own warnings (looser values ignored) belong to the
	 * record of why this spec looks the way it does. */
	if ((sources = json_array()) == NULL)
		mcp_oom();
	for (i = 0; i < p->nwarnings; i++)
		jpush(sources, json_string(p->warnings[i]));
	if (json_array_extend(sources, ev->warnings) < 0)
		mcp_oom();
	jset(spec, "warnings", sources);
	jset(spec, "dropped", json_incref(ev->dropped));
	if ((sources = json_array()) == NULL)
		mcp_oom();
	for (i = 0; i < p->nlayers; i++)
		jpush(sources, json_string(p->layers[i].file));
	jset(spec, "policy_sources", sources);
	if (oci != NULL) {
		json_t *o = json_object();

		if (o == NULL)
			mcp_oom();
		jset(o, "bundle", json_string(oci));
		jset(o, "unexpressed", unexpressed);
		unexpressed = NULL;
		jset(spec, "oci", o);
	}
	ev->doc = spec;
	rc = 0;
out:
	free(cwd);
	json_decref(env);
	json_decref(pass);
	json_decref(secrets);
	json_decref(fs);
	json_decref(net);
	json_decref(limits);
	json_decref(transport);
	json_decref(unexpressed);
	return rc;
}
