/*
 * xalloc.c: allocators that never return NULL.
 *
 * Invariant: a caller never sees NULL from an x* function.  Out of memory is
 * the one failure common/ reports by itself (one line, exit 1), because no
 * caller could do better and checking every small allocation hides the
 * real error paths.
 */
#include <mcp-config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

void
mcp_oom(void)
{
	static const char msg[] = "out of memory\n";

	/* write(2), not stdio: stdio may itself need memory. */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* Nothing left to report it to. */
	}
	_exit(MCP_EXIT_RUNTIME);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		mcp_oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	p = calloc(nmemb, size); /* calloc checks nmemb * size for overflow */
	if (p == NULL)
		mcp_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		mcp_oom();
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		mcp_oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		mcp_oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		mcp_oom(); /* only an impossible format fails here */
	p = xmalloc((size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
mcp_free_secret(char *s)
{
	if (s == NULL)
		return;
	/* explicit_bzero, not memset: the compiler may drop a memset before
	 * free as a dead store.  Not OPENSSL_cleanse (STYLE.md's choice),
	 * because mcp-exec must not link libcrypto for this one call. */
	explicit_bzero(s, strlen(s));
	free(s);
}
