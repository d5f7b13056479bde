/*
 * archive-lazy.c: load libarchive on first use (see archive-lazy.h).
 */
#include <mcp-config.h>

#define MCP_ARCHIVE_LAZY_IMPL 1
#include "archive-lazy.h"

#include <dlfcn.h>
#include <string.h>

struct mcp_archive_api mcp_archive;

int
mcp_archive_load(struct mcp_err *e)
{
	static int loaded;
	void *h;
	const char *missing = NULL;

	if (loaded)
		return 0;
	h = dlopen(MCP_ARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "cannot load %s, needed to extract a bundle "
		                   "(Debian: libarchive13): %s",
		                   MCP_ARCHIVE_SONAME, dlerror());
#define LOAD(m)                                                            \
	do {                                                               \
		void *p_ = dlsym(h, "archive_" #m);                         \
		if (p_ == NULL && missing == NULL)                          \
			missing = "archive_" #m;                            \
		memcpy(&mcp_archive.m, &p_, sizeof(p_));                    \
	} while (0)
	LOAD(entry_filetype);
	LOAD(entry_hardlink);
	LOAD(entry_pathname);
	LOAD(entry_perm);
	LOAD(entry_size);
	LOAD(entry_size_is_set);
	LOAD(entry_symlink);
	LOAD(error_string);
	LOAD(filter_code);
	LOAD(filter_count);
	LOAD(read_data);
	LOAD(read_free);
	LOAD(read_new);
	LOAD(read_next_header);
	LOAD(read_open);
	LOAD(read_open_fd);
	LOAD(read_support_filter_gzip);
	LOAD(read_support_format_tar);
	LOAD(set_error);
#undef LOAD
	if (missing != NULL) {
		dlclose(h);
		return mcp_err_set(e, MCP_ERR_RUNTIME, "%s: no %s (libarchive "
		                   "older than this build needs)",
		                   MCP_ARCHIVE_SONAME, missing);
	}
	loaded = 1;
	return 0;
}
