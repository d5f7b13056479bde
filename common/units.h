/*
 * units.h: sizes ("512M") and durations ("1h30m") as the manifests and the
 * policy write them, parsed without overflow: a value that does not fit is
 * an error, never a wrap or "unlimited".
 */
#ifndef MCP_UNITS_H
#define MCP_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Integer + K/M/G (or Ki/Mi/Gi, the same: binary) or a bare byte count.
 * > 0.  Returns 0 or -1. */
int mcp_size_parse(const char *s, uint64_t *bytes);

/* Integers with h, m, s, ms units ("5m", "1h30m", "45s", "250ms"), each
 * unit at most once and in that order; > 0.  Result in milliseconds. */
int mcp_duration_parse(const char *s, uint64_t *ms);

/* Format bytes as the largest exact unit ("512M", "1G", "1000") into BUF. */
char *mcp_size_format(uint64_t bytes, char *buf, size_t n);
/* Format milliseconds as "8h", "1h30m", "250ms" into BUF. */
char *mcp_duration_format(uint64_t ms, char *buf, size_t n);

#endif
