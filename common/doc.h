/*
 * doc.h: the JSON documents that pass between stages (mcp-documents(5)).
 *
 * Every document is a JSON object with a "kind" of the form
 * "mcp.<stage>/v<N>".  Readers check the kind and its major version before
 * using anything else in it, and ignore unknown members.  Parsing is strict
 * (RFC 8259 via jansson): duplicate keys, trailing data, \u0000 and
 * oversized input are refused.  Writers emit one line of compact JSON and a
 * newline, and check that stdout took it.
 */
#ifndef MCP_DOC_H
#define MCP_DOC_H

#include <jansson.h>
#include <stdio.h>

#include "err.h"

#define MCP_KIND_FETCH "mcp.fetch/v1"
#define MCP_KIND_VERIFIED "mcp.verified/v1"
#define MCP_KIND_SPEC "mcp.spec/v1"
#define MCP_KIND_DENIED "mcp.denied/v1"
#define MCP_KIND_EXEC "mcp.exec/v1"

/* Upper bound of a stage document read from a file or stdin. */
#define MCP_DOC_MAX (16u * 1024 * 1024)

/*
 * Read all of FD (at most MAX bytes) and parse it strictly.  LABEL names
 * the input in errors ("FILE:LINE:COL: message").  Errors get category CAT.
 * Returns a new reference, or NULL with E filled.
 */
json_t *mcp_json_load_fd(int fd, const char *label, size_t max,
			 enum mcp_errcat cat, struct mcp_err *e);

/* As mcp_json_load_fd on PATH; "-" is stdin. */
json_t *mcp_json_load_path(const char *path, size_t max, enum mcp_errcat cat,
			   struct mcp_err *e);

/* Parse a buffer strictly (same rules). */
json_t *mcp_json_load_buf(const char *buf, size_t len, const char *label,
			  enum mcp_errcat cat, struct mcp_err *e);

/*
 * Read a stage document from PATH ("-" is stdin) and check that its kind is
 * one of KINDS (a NULL-terminated list such as {MCP_KIND_FETCH, NULL}).
 * A document of another stage, another major version, or not an object is
 * a usage error naming what was expected and what was found.
 */
json_t *mcp_doc_read(const char *path, const char *const *kinds,
		     struct mcp_err *e);

/* Check the kind of an already-parsed document (same rules). */
int mcp_doc_check_kind(const json_t *doc, const char *label,
		       const char *const *kinds, struct mcp_err *e);

/* New object {"kind": KIND}. */
json_t *mcp_doc_new(const char *kind);

/*
 * Write DOC as one compact line plus "\n" to F, then fflush and check
 * ferror.  Returns -1 (MCP_ERR_RUNTIME) if the stream did not take it.
 */
int mcp_doc_write(FILE *f, const json_t *doc, struct mcp_err *e);

/*
 * Borrowed string at a dotted path ("bundle.digest"), or NULL when a member
 * is missing or is not a string.
 */
const char *mcp_doc_str(const json_t *doc, const char *dotted);

/* As mcp_doc_str, but a missing/non-string member is an error of CAT that
 * names LABEL and the path. */
const char *mcp_doc_need_str(const json_t *doc, const char *dotted,
			     const char *label, enum mcp_errcat cat,
			     struct mcp_err *e);

/* Borrowed value at a dotted path, or NULL. */
json_t *mcp_doc_get(const json_t *doc, const char *dotted);

/* Current UTC time, RFC 3339 with milliseconds ("2026-11-23T06:08:51.123Z"). */
void mcp_now_rfc3339(char buf[32]);

#endif
