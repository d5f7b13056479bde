/*
 * config.c: the configuration files (mcp-config(5)), their sections and
 * the precedence of settings.
 *
 * Invariant: every key in every file is known, so a misspelt setting
 * ("regsitry", "cache.dri") is an error naming FILE:LINE:COL rather than a
 * silent default.  Settings layer as documented (system file, user file,
 * --config files, then MCP_* environment); the policy sections are kept
 * per layer, in order, for mcp-policy, which must only ever tighten.
 */
#include <mcp-config.h> /* MCP_SYSTEM_CONFIG */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xalloc.h"

/* Keys of each section; the stages read further keys (mcp-fetch's client
 * bounds, for instance) from the layer's node after adding them here. */
static const char *const top_keys[] = {
    "registry", "cache", "verify", "policy", "audit", NULL,
};
static const char *const registry_keys[] = {
    "url",
    "token_file",
    "cacert",
    NULL,
};
static const char *const cache_keys[] = {"dir", NULL};
static const char *const verify_keys[] = {"interpreters", NULL};
static const char *const audit_keys[] = {"log", "redact", "syslog", NULL};

void
mcp_config_init(struct mcp_config *c)
{
	memset(c, 0, sizeof(*c));
}

static void
strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
mcp_config_release(struct mcp_config *c)
{
	size_t i;

	for (i = 0; i < c->nlayers; i++)
		mcp_yaml_free(c->layers[i].doc);
	free(c->registry);
	free(c->registry_token_file);
	free(c->registry_cacert);
	free(c->cache_dir);
	free(c->audit_log);
	strv_free(c->interpreters);
	strv_free(c->audit_redact);
	memset(c, 0, sizeof(*c));
}

char *
mcp_config_user_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *h = getenv("HOME");

	/* The XDG spec says a relative value is to be ignored; a relative
	 * HOME would make the file depend on the working directory. */
	if (x != NULL && x[0] == '/')
		return xasprintf("%s/mcp/config.yaml", x);
	if (h != NULL && h[0] == '/')
		return xasprintf("%s/.config/mcp/config.yaml", h);
	return NULL;
}

/* A section given as an empty value ("cache:") is the same as absent. */
static const struct mcp_ynode *
section(const struct mcp_ynode *root, const char *name)
{
	const struct mcp_ynode *n = mcp_ynode_get(root, name);

	if (n != NULL && n->type == MCP_YNODE_SCALAR && n->plain &&
	    (n->scalar[0] == '\0' || strcmp(n->scalar, "~") == 0 ||
	     strcmp(n->scalar, "null") == 0))
		return NULL;
	return n;
}

/* Replace *DST with the string at SECTION.KEY if that key is set. */
static int
setting(char **dst, const struct mcp_ynode *sec, const char *key,
        const char *dotted, struct mcp_err *e)
{
	const struct mcp_ynode *n = mcp_ynode_get(sec, key);
	const char *s;

	if (n == NULL)
		return 0;
	if (mcp_ynode_str(n, dotted, &s, e) < 0)
		return -1;
	if (s[0] == '\0')
		return mcp_ynode_err(n, e, MCP_ERR_USAGE,
		                     "%s: must not be empty", dotted);
	free(*dst);
	*dst = xstrdup(s);
	return 0;
}

/* An interpreter is a bare command name, looked up by mcp-verify in fixed
 * system directories: a path or "." / ".." would defeat that. */
static int
interp_valid(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '-' || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-' || ch == '+'))
			return 0;
	}
	return 1;
}

static int
interpreters(struct mcp_config *c, const struct mcp_ynode *verify,
             struct mcp_err *e)
{
	const struct mcp_ynode *n = mcp_ynode_get(verify, "interpreters");
	const char **v = NULL;
	size_t count = 0, i;
	char **out;

	if (n == NULL)
		return 0;
	if (mcp_ynode_strlist(n, "verify.interpreters", &v, &count, e) < 0)
		return -1;
	for (i = 0; i < count; i++)
		if (!interp_valid(v[i])) {
			free(v);
			return mcp_ynode_err(
			    n->items[i], e, MCP_ERR_USAGE,
			    "verify.interpreters[%zu]: must be a bare command "
			    "name, not a path",
			    i);
		}
	out = xcalloc(count + 1, sizeof(*out));
	for (i = 0; i < count; i++)
		out[i] = xstrdup(v[i]);
	free(v);
	strv_free(c->interpreters); /* a later file replaces the list */
	c->interpreters = out;
	return 0;
}

/* audit.redact: key globs for mcp-audit; every file's add to the list,
 * since a later (user's) file must not drop the site's redactions. */
static int
audit_redact(struct mcp_config *c, const struct mcp_ynode *audit,
             struct mcp_err *e)
{
	const struct mcp_ynode *n = mcp_ynode_get(audit, "redact");
	const char **v = NULL;
	size_t count = 0, i;

	if (n == NULL)
		return 0;
	if (mcp_ynode_strlist(n, "audit.redact", &v, &count, e) < 0)
		return -1;
	for (i = 0; i < count; i++)
		if (v[i][0] == '\0' || strlen(v[i]) > 256) {
			free(v);
			return mcp_ynode_err(n->items[i], e, MCP_ERR_USAGE,
			                     "audit.redact[%zu]: must be a "
			                     "glob of 1 to 256 characters",
			                     i);
		}
	c->audit_redact =
	    xrealloc(c->audit_redact,
	             (c->naudit_redact + count + 1) * sizeof(*c->audit_redact));
	for (i = 0; i < count; i++)
		c->audit_redact[c->naudit_redact++] = xstrdup(v[i]);
	c->audit_redact[c->naudit_redact] = NULL;
	free(v);
	return 0;
}

static int
audit_syslog(struct mcp_config *c, const struct mcp_ynode *audit,
             struct mcp_err *e)
{
	const struct mcp_ynode *n = mcp_ynode_get(audit, "syslog");

	if (n == NULL)
		return 0;
	return mcp_ynode_bool(n, "audit.syslog", &c->audit_syslog, e);
}

/* Check one loaded file and apply its settings. */
static int
apply_layer(struct mcp_config *c, struct mcp_config_layer *l, struct mcp_err *e)
{
	const struct mcp_ynode *root = l->doc->root;

	if (root == NULL)
		return 0; /* an empty file sets nothing */
	if (root->type != MCP_YNODE_MAP)
		return mcp_ynode_err(
		    root, e, MCP_ERR_USAGE,
		    "configuration must be a mapping of sections");
	if (mcp_ynode_keys(root, "configuration", top_keys, e) < 0)
		return -1;
	l->registry = section(root, "registry");
	l->cache = section(root, "cache");
	l->verify = section(root, "verify");
	l->policy = section(root, "policy");
	l->audit = section(root, "audit");

	if (mcp_ynode_keys(l->registry, "registry", registry_keys, e) < 0 ||
	    mcp_ynode_keys(l->cache, "cache", cache_keys, e) < 0 ||
	    mcp_ynode_keys(l->verify, "verify", verify_keys, e) < 0 ||
	    mcp_ynode_keys(l->audit, "audit", audit_keys, e) < 0)
		return -1;
	/* mcp-policy validates the policy itself; here only its shape. */
	if (l->policy != NULL && l->policy->type != MCP_YNODE_MAP)
		return mcp_ynode_err(l->policy, e, MCP_ERR_USAGE,
		                     "policy: must be a mapping");

	if (setting(&c->registry, l->registry, "url", "registry.url", e) < 0 ||
	    setting(&c->registry_token_file, l->registry, "token_file",
	            "registry.token_file", e) < 0 ||
	    setting(&c->registry_cacert, l->registry, "cacert",
	            "registry.cacert", e) < 0 ||
	    setting(&c->cache_dir, l->cache, "dir", "cache.dir", e) < 0 ||
	    setting(&c->audit_log, l->audit, "log", "audit.log", e) < 0 ||
	    interpreters(c, l->verify, e) < 0 ||
	    audit_redact(c, l->audit, e) < 0 ||
	    audit_syslog(c, l->audit, e) < 0)
		return -1;
	return 0;
}

/* Load PATH as the next layer.  OPTIONAL: a missing file is skipped. */
static int
load_one(struct mcp_config *c, const char *path, int optional, int system,
         struct mcp_err *e)
{
	struct mcp_config_layer *l;
	struct mcp_ydoc *d;

	if (c->nlayers >= MCP_CONFIG_MAX_FILES)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "too many configuration files (at most %d)",
		                   MCP_CONFIG_MAX_FILES);
	d = mcp_yaml_load(path, e);
	if (d == NULL) {
		/* Only "not there" is fine for the default files: an
		 * unreadable one might hold the site's policy. */
		if (optional && e->sys_errno == ENOENT) {
			mcp_err_init(e);
			return 0;
		}
		return -1;
	}
	l = &c->layers[c->nlayers++];
	memset(l, 0, sizeof(*l));
	l->doc = d;
	l->system = system;
	return apply_layer(c, l, e);
}

static void
env_setting(char **dst, const char *name)
{
	const char *v = getenv(name);

	if (v != NULL && v[0] != '\0') {
		free(*dst);
		*dst = xstrdup(v);
	}
}

int
mcp_config_load(struct mcp_config *c, char *const *files, size_t nfiles,
                int skip_defaults, struct mcp_err *e)
{
	char *user;
	size_t i;
	int rc;

	if (!skip_defaults) {
		if (load_one(c, MCP_SYSTEM_CONFIG, 1, 1, e) < 0)
			return -1;
		user = mcp_config_user_path();
		if (user != NULL) {
			rc = load_one(c, user, 1, 0, e);
			free(user);
			if (rc < 0)
				return -1;
		}
	}
	for (i = 0; i < nfiles; i++)
		if (load_one(c, files[i], 0, 0, e) < 0)
			return -1;
	/* The environment beats every file; the tool's flags beat it. */
	env_setting(&c->registry, "MCP_REGISTRY");
	env_setting(&c->cache_dir, "MCP_CACHE_DIR");
	env_setting(&c->audit_log, "MCP_AUDIT_LOG");
	return 0;
}
