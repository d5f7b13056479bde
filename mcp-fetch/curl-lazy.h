/*
 * curl-lazy.h: libcurl, loaded on first use.
 *
 * A directory registry never needs libcurl, and loading it (with its
 * TLS, HTTP/2, IDN, PSL, LDAP, SSH... libraries: some thirty objects)
 * costs mcp-fetch several milliseconds at every start, in every mcp-run.
 * So mcp-fetch is not linked with libcurl: registry-http.c includes this
 * header instead of <curl/curl.h>, and the libcurl names it uses become
 * calls through a table that mcp_curl_load() fills with dlopen() and
 * dlsym() the first time an HTTP(S) registry is used.
 */
#ifndef MCP_FETCH_CURL_LAZY_H
#define MCP_FETCH_CURL_LAZY_H

/* The type-checking macros would wrap our names, not libcurl's. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "err.h"

/* The soname of the libcurl the build was configured with. */
#define MCP_CURL_SONAME "libcurl.so.4"

/* Each member has the type of libcurl's own declaration. */
#define MCP_CURL_FN(name) __typeof__(&curl_##name) name
struct mcp_curl_api {
	MCP_CURL_FN(global_init);
	MCP_CURL_FN(global_cleanup);
	MCP_CURL_FN(easy_init);
	MCP_CURL_FN(easy_setopt);
	MCP_CURL_FN(easy_perform);
	MCP_CURL_FN(easy_getinfo);
	MCP_CURL_FN(easy_cleanup);
	MCP_CURL_FN(easy_strerror);
	MCP_CURL_FN(free);
	MCP_CURL_FN(getdate);
	MCP_CURL_FN(slist_append);
	MCP_CURL_FN(slist_free_all);
	MCP_CURL_FN(url);
	MCP_CURL_FN(url_cleanup);
	MCP_CURL_FN(url_get);
	MCP_CURL_FN(url_set);
};
#undef MCP_CURL_FN

extern struct mcp_curl_api mcp_curl;

/*
 * Load libcurl and resolve every function of the table, once.  -1 with E
 * (MCP_ERR_RUNTIME, naming the library or the missing symbol) if it
 * cannot be loaded; nothing of the table may be called then.
 */
int mcp_curl_load(struct mcp_err *e);

#ifndef MCP_CURL_LAZY_IMPL
/* curl.h defines these two as function-like macros of themselves. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (*mcp_curl.global_init)
#define curl_global_cleanup (*mcp_curl.global_cleanup)
#define curl_easy_init (*mcp_curl.easy_init)
#define curl_easy_setopt (*mcp_curl.easy_setopt)
#define curl_easy_perform (*mcp_curl.easy_perform)
#define curl_easy_getinfo (*mcp_curl.easy_getinfo)
#define curl_easy_cleanup (*mcp_curl.easy_cleanup)
#define curl_easy_strerror (*mcp_curl.easy_strerror)
#define curl_free (*mcp_curl.free)
#define curl_getdate (*mcp_curl.getdate)
#define curl_slist_append (*mcp_curl.slist_append)
#define curl_slist_free_all (*mcp_curl.slist_free_all)
#define curl_url (*mcp_curl.url)
#define curl_url_cleanup (*mcp_curl.url_cleanup)
#define curl_url_get (*mcp_curl.url_get)
#define curl_url_set (*mcp_curl.url_set)
#endif

#endif
