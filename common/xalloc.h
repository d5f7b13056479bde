/*
 * xalloc.h: allocators that never return NULL.
 *
 * Out of memory is the one failure common/ handles by itself: it prints
 * "out of memory" and exits 1, because no caller can do better.
 */
#ifndef MCP_XALLOC_H
#define MCP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "out of memory" and exit 1: for allocations made by a library
 * (jansson, libyaml) that reports failure by returning NULL. */
void mcp_oom(void) __attribute__((noreturn));

/* Wipe (explicit_bzero) then free a secret string; NULL is fine. */
void mcp_free_secret(char *s);

#endif
