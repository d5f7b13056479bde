/*
 * records.h: the mcp.exec/v1 start and end records (mcp-documents(5)).
 *
 * A record is one line of compact JSON written with a single write(2) on
 * a descriptor opened O_APPEND, so concurrent writers to one file never
 * interleave.  Secrets never appear: records carry the spec's members and
 * what mcp-exec measured, never an environment value.
 */
#ifndef MCP_EXEC_RECORDS_H
#define MCP_EXEC_RECORDS_H

#include <jansson.h>

#include "err.h"
#include "spec.h"

/* New record {"kind": "mcp.exec/v1", "event": EVENT, identity...}. */
json_t *records_new(const struct mcp_spec *s, const char *event);

/* Add "time" now and write REC to FD (no-op when FD < 0).  Runtime error
 * naming "records" on failure. */
int records_write(int fd, json_t *rec, struct mcp_err *e);

#endif
