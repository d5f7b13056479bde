/*
 * paths.c: the XDG directories, the content-addressed cache layout, and
 * mkdir -p.
 *
 * Invariant: a cache path is derived only from a digest that passed the
 * strict syntax check, so it is always DIR/<algo>/<2 hex>/<hex> and can
 * never contain "/", ".." or anything else a hostile digest might try.
 * Directories we create are private (0700).
 */
#include <mcp-config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "digest.h"
#include "paths.h"
#include "xalloc.h"

char *
mcp_xdg_dir(enum mcp_xdg which, struct mcp_err *e)
{
	static const struct {
		const char *var, *fallback;
	} tab[] = {
	    [MCP_XDG_CACHE] = {"XDG_CACHE_HOME", ".cache"},
	    [MCP_XDG_CONFIG] = {"XDG_CONFIG_HOME", ".config"},
	    [MCP_XDG_STATE] = {"XDG_STATE_HOME", ".local/state"},
	};
	const char *x, *h;

	if ((unsigned)which >= sizeof(tab) / sizeof(tab[0])) {
		mcp_err_set(e, MCP_ERR_RUNTIME, "unknown XDG directory");
		return NULL;
	}
	/* A relative value is ignored (XDG Base Directory spec). */
	x = getenv(tab[which].var);
	if (x != NULL && x[0] == '/')
		return xasprintf("%s/mcp", x);
	h = getenv("HOME");
	if (h != NULL && h[0] == '/')
		return xasprintf("%s/%s/mcp", h, tab[which].fallback);
	mcp_err_set(e, MCP_ERR_RUNTIME,
	            "neither %s nor HOME is set to an absolute path",
	            tab[which].var);
	return NULL;
}

char *
mcp_cache_dir(const char *flag, const struct mcp_config *c, struct mcp_err *e)
{
	const char *x;

	if (flag != NULL && flag[0] != '\0')
		return xstrdup(flag);
	if (c != NULL && c->cache_dir != NULL && c->cache_dir[0] != '\0')
		return xstrdup(c->cache_dir);
	/*
	 * root's HOME is mode 0700, so a tree under /root/.cache could not be
	 * reached by the unprivileged user mcp-exec runs the server as: root's
	 * default is the system cache, unless XDG_CACHE_HOME says otherwise.
	 */
	x = getenv("XDG_CACHE_HOME");
	if (geteuid() == 0 && (x == NULL || x[0] != '/'))
		return xstrdup(MCP_SYSTEM_CACHE_DIR);
	return mcp_xdg_dir(MCP_XDG_CACHE, e);
}

char *
mcp_cache_blob_path(const char *dir, const char *digest)
{
	enum mcp_digest_algo algo;
	const char *hex;

	if (mcp_digest_parse(digest, &algo, &hex) < 0)
		return NULL;
	return xasprintf("%s/%s/%.2s/%s", dir, mcp_digest_algo_name(algo), hex,
	                 hex);
}

char *
mcp_cache_tree_path(const char *dir, const char *digest)
{
	enum mcp_digest_algo algo;
	const char *hex;

	if (mcp_digest_parse(digest, &algo, &hex) < 0)
		return NULL;
	return xasprintf("%s/trees/%s/%s", dir, mcp_digest_algo_name(algo),
	                 hex);
}

int
mcp_mkdir_p(const char *path, mode_t mode, struct mcp_err *e)
{
	char *p = xstrdup(path);
	struct stat st;
	size_t i, len = strlen(p);
	int rc = 0;

	if (len == 0) {
		free(p);
		return mcp_err_set(e, MCP_ERR_RUNTIME, "mkdir: empty path");
	}
	/* Component by component; i == len handles the last one. */
	for (i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		if (p[i - 1] == '/')
			continue; /* "//" */
		p[i] = '\0';
		if (mkdir(p, mode) < 0) {
			/* EEXIST: fine if it is a directory (or a link to one,
			 * e.g. a cache on another disk). */
			if (errno != EEXIST || stat(p, &st) < 0 ||
			    !S_ISDIR(st.st_mode)) {
				if (errno == EEXIST)
					errno = ENOTDIR;
				rc = mcp_err_sys(e, MCP_ERR_RUNTIME,
				                 "cannot create directory %s",
				                 p);
				break;
			}
		} else if (chmod(p, mode) < 0) {
			/* A directory we created gets exactly MODE whatever
			 * the umask: a cache made under mcp-run's umask 077
			 * must still be traversable to the server's user. */
			rc = mcp_err_sys(e, MCP_ERR_RUNTIME, "chmod %s", p);
			break;
		}
		if (i < len)
			p[i] = '/';
	}
	free(p);
	return rc;
}

char *
mcp_path_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n > 0 && a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}
