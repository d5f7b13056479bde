/*
 * archive-lazy.h: libarchive, loaded on first use.
 *
 * mcp-verify needs libarchive only to extract a bundle; a run whose tree
 * is already in the cache (every mcp-run after the first) does not.
 * Loading it (with libxml2, ICU and the C++ runtime it brings) costs
 * milliseconds at every start, so mcp-verify is not linked with it:
 * extract.c includes this header after <archive.h>, and the names it
 * uses become calls through a table that mcp_archive_load() fills with
 * dlopen() and dlsym() before the first extraction.
 */
#ifndef MCP_VERIFY_ARCHIVE_LAZY_H
#define MCP_VERIFY_ARCHIVE_LAZY_H

#include <archive.h>
#include <archive_entry.h>

#include "err.h"

/* The soname of the libarchive the build was configured with. */
#define MCP_ARCHIVE_SONAME "libarchive.so.13"

/* Each member has the type of libarchive's own declaration. */
#define MCP_ARCHIVE_FN(name) __typeof__(&archive_##name) name
struct mcp_archive_api {
	MCP_ARCHIVE_FN(entry_filetype);
	MCP_ARCHIVE_FN(entry_hardlink);
	MCP_ARCHIVE_FN(entry_pathname);
	MCP_ARCHIVE_FN(entry_perm);
	MCP_ARCHIVE_FN(entry_size);
	MCP_ARCHIVE_FN(entry_size_is_set);
	MCP_ARCHIVE_FN(entry_symlink);
	MCP_ARCHIVE_FN(error_string);
	MCP_ARCHIVE_FN(filter_code);
	MCP_ARCHIVE_FN(filter_count);
	MCP_ARCHIVE_FN(read_data);
	MCP_ARCHIVE_FN(read_free);
	MCP_ARCHIVE_FN(read_new);
	MCP_ARCHIVE_FN(read_next_header);
	MCP_ARCHIVE_FN(read_open);
	MCP_ARCHIVE_FN(read_open_fd);
	MCP_ARCHIVE_FN(read_support_filter_gzip);
	MCP_ARCHIVE_FN(read_support_format_tar);
	MCP_ARCHIVE_FN(set_error);
};
#undef MCP_ARCHIVE_FN

extern struct mcp_archive_api mcp_archive;

/*
 * Load libarchive and resolve every function of the table, once.  -1 with
 * E (MCP_ERR_RUNTIME, naming the library or the missing symbol) if it
 * cannot be loaded; nothing of the table may be called then.
 */
int mcp_archive_load(struct mcp_err *e);

#ifndef MCP_ARCHIVE_LAZY_IMPL
#define archive_entry_filetype (*mcp_archive.entry_filetype)
#define archive_entry_hardlink (*mcp_archive.entry_hardlink)
#define archive_entry_pathname (*mcp_archive.entry_pathname)
#define archive_entry_perm (*mcp_archive.entry_perm)
#define archive_entry_size (*mcp_archive.entry_size)
#define archive_entry_size_is_set (*mcp_archive.entry_size_is_set)
#define archive_entry_symlink (*mcp_archive.entry_symlink)
#define archive_error_string (*mcp_archive.error_string)
#define archive_filter_code (*mcp_archive.filter_code)
#define archive_filter_count (*mcp_archive.filter_count)
#define archive_read_data (*mcp_archive.read_data)
#define archive_read_free (*mcp_archive.read_free)
#define archive_read_new (*mcp_archive.read_new)
#define archive_read_next_header (*mcp_archive.read_next_header)
#define archive_read_open (*mcp_archive.read_open)
#define archive_read_open_fd (*mcp_archive.read_open_fd)
#define archive_read_support_filter_gzip (*mcp_archive.read_support_filter_gzip)
#define archive_read_support_format_tar (*mcp_archive.read_support_format_tar)
#define archive_set_error (*mcp_archive.set_error)
#endif

#endif
