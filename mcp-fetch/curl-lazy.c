/*
 * curl-lazy.c: load libcurl on first use (see curl-lazy.h).
 */
#include <mcp-config.h>

#define MCP_CURL_LAZY_IMPL 1
#include "curl-lazy.h"

#include <dlfcn.h>
#include <string.h>

struct mcp_curl_api mcp_curl;

int
mcp_curl_load(struct mcp_err *e)
{
	static int loaded;
	void *h;
	const char *missing = NULL;

	if (loaded)
		return 0;
	/* RTLD_NOW: every symbol libcurl needs is bound here, not in the
	 * middle of a transfer. */
	h = dlopen(MCP_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "cannot load %s, needed for an HTTP(S) "
		                   "registry (Debian: libcurl4): %s",
		                   MCP_CURL_SONAME, dlerror());
#define LOAD(m)                                                            \
	do {                                                               \
		void *p_ = dlsym(h, "curl_" #m);                            \
		if (p_ == NULL && missing == NULL)                          \
			missing = "curl_" #m;                               \
		memcpy(&mcp_curl.m, &p_, sizeof(p_));                       \
	} while (0)
	LOAD(global_init);
	LOAD(global_cleanup);
	LOAD(easy_init);
	LOAD(easy_setopt);
	LOAD(easy_perform);
	LOAD(easy_getinfo);
	LOAD(easy_cleanup);
	LOAD(easy_strerror);
	LOAD(free);
	LOAD(getdate);
	LOAD(slist_append);
	LOAD(slist_free_all);
	LOAD(url);
	LOAD(url_cleanup);
	LOAD(url_get);
	LOAD(url_set);
#undef LOAD
	if (missing != NULL) {
		/* Never closed once loaded; this one is unusable. */
		dlclose(h);
		return mcp_err_set(e, MCP_ERR_RUNTIME, "%s: no %s (libcurl "
		                   "older than this build needs)",
		                   MCP_CURL_SONAME, missing);
	}
	loaded = 1;
	return 0;
}
