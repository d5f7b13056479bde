/*
 * err.c: the error record, the exit-code table and escaped printing.
 *
 * Invariant: no byte that came from outside (file names, document text,
 * server messages) reaches the terminal raw.  mcp_err_print() and
 * mcp_warn() escape the whole line, so a hostile package name cannot move
 * the cursor, rewrite earlier lines or hide text behind invalid UTF-8.
 */
#include <mcp-config.h>

#define MCP_ERR_IMPL /* err.h: the functions, not the analyser's macros */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void
mcp_err_init(struct mcp_err *e)
{
	e->cat = MCP_ERR_NONE;
	e->sys_errno = 0;
	e->msg[0] = '\0';
}

static void __attribute__((format(printf, 3, 0)))
err_vset(struct mcp_err *e, enum mcp_errcat cat, const char *fmt, va_list ap)
{
	char tmp[MCP_ERR_MSG_MAX];

	/* Through a copy: callers may pass e->msg itself as an argument
	 * ("%s: %s", file, e->msg), and vsnprintf must not overlap. */
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(e->msg, tmp, sizeof(e->msg));
	e->cat = cat;
}

int
mcp_err_set(struct mcp_err *e, enum mcp_errcat cat, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, cat, fmt, ap);
	va_end(ap);
	e->sys_errno = 0;
	return -1;
}

int
mcp_err_sys(struct mcp_err *e, enum mcp_errcat cat, const char *fmt, ...)
{
	int saved = errno; /* read first: vsnprintf may change errno */
	va_list ap;
	size_t len;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, cat, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(saved));
	e->sys_errno = saved;
	return -1;
}

int
mcp_err_prefix(struct mcp_err *e, const char *fmt, ...)
{
	char old[MCP_ERR_MSG_MAX], pre[MCP_ERR_MSG_MAX];
	va_list ap;
	size_t len;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	len = strlen(pre);
	memcpy(e->msg, pre, len + 1);
	snprintf(e->msg + len, sizeof(e->msg) - len, "%s", old);
	if (e->cat == MCP_ERR_NONE)
		e->cat = MCP_ERR_RUNTIME;
	return -1;
}

int
mcp_errcat_exit(enum mcp_errcat cat)
{
	switch (cat) {
	case MCP_ERR_NONE:
		return MCP_EXIT_OK;
	case MCP_ERR_RUNTIME:
		return MCP_EXIT_RUNTIME;
	case MCP_ERR_USAGE:
		return MCP_EXIT_USAGE;
	case MCP_ERR_DENIED:
		return MCP_EXIT_DENIED;
	case MCP_ERR_VERIFY:
		return MCP_EXIT_VERIFY;
	case MCP_ERR_FETCH:
		return MCP_EXIT_FETCH;
	case MCP_ERR_TIMEOUT:
		return MCP_EXIT_TIMEOUT;
	case MCP_ERR_SETUP:
		return MCP_EXIT_SETUP;
	case MCP_ERR_NOEXEC:
		return MCP_EXIT_NOEXEC;
	case MCP_ERR_NOTFOUND:
		return MCP_EXIT_NOTFOUND;
	}
	/* An out-of-range category is a bug; fail rather than report success.
	 */
	return MCP_EXIT_RUNTIME;
}

int
mcp_err_exit(const struct mcp_err *e)
{
	return mcp_errcat_exit(e->cat);
}

/*
 * Length of the valid UTF-8 sequence at S (1-4), or 0 if the bytes there
 * are not one.  Overlong forms, surrogates and code points above U+10FFFF
 * are invalid (RFC 3629), since terminals disagree on what they mean.
 */
size_t
mcp_utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

const char *
mcp_text_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (*p != '\0') {
		k = mcp_utf8_len(p);
		if (k == 0)
			return "is not valid UTF-8";
		/* C0, DEL and C1 controls: the same set mcp_escape escapes. */
		if ((k == 1 && (*p < 0x20 || *p == 0x7f)) ||
		    (k == 2 && p[0] == 0xc2 && p[1] < 0xa0))
			return "contains control characters";
		p += k;
	}
	return NULL;
}

char *
mcp_escape(char *dst, size_t n, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, k, i;

	if (n == 0)
		return dst;
	while (*s != '\0') {
		k = mcp_utf8_len(s);
		/*
		 * C1 controls (U+0080..U+009F) are valid UTF-8 but some
		 * terminals act on them (U+009B is CSI), so they are escaped
		 * like their C0 cousins.
		 */
		if (k == 2 && s[0] == 0xc2 && s[1] < 0xa0)
			k = 0;
		if (k == 1 && (*s < 0x20 || *s == 0x7f))
			k = 0;
		if (k == 0) {
			/* One byte at a time: a broken sequence may hide
			 * a valid character after its first byte. */
			if (o + 4 >= n)
				break;
			snprintf(dst + o, 5, "\\x%02x", *s);
			o += 4;
			s++;
			continue;
		}
		if (o + k >= n) /* never split a character */
			break;
		for (i = 0; i < k; i++)
			dst[o++] = (char)s[i];
		s += k;
	}
	dst[o] = '\0';
	return dst;
}

void
mcp_err_print(const char *prog, const struct mcp_err *e)
{
	char buf[4 * MCP_ERR_MSG_MAX + 1];

	mcp_escape(buf, sizeof(buf),
	           e->msg[0] != '\0' ? e->msg : "unknown error");
	fprintf(stderr, "%s: %s\n", prog, buf);
}

void
mcp_warn(const char *prog, const char *fmt, ...)
{
	char raw[MCP_ERR_MSG_MAX];
	char buf[4 * MCP_ERR_MSG_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	mcp_escape(buf, sizeof(buf), raw);
	fprintf(stderr, "%s: warning: %s\n", prog, buf);
}
