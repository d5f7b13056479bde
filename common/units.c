/*
 * units.c: sizes ("512M") and durations ("1h30m") as manifests and policy
 * write them.
 *
 * Invariant: a value that does not fit in 64 bits is an error, never a
 * wrapped small number or "unlimited"; zero, signs, spaces, fractions and
 * unknown units are errors too.  A limit means exactly what it says.
 */
#include <mcp-config.h>

#include <stdio.h>
#include <string.h>

#include "units.h"

/* Parse the digits at *S into *V; -1 on no digit or overflow. */
static int
digits(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	unsigned d;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*s = p;
	*v = x;
	return 0;
}

/* *V = A * B, or -1 on overflow. */
static int
mul(uint64_t a, uint64_t b, uint64_t *v)
{
	if (b != 0 && a > UINT64_MAX / b)
		return -1;
	*v = a * b;
	return 0;
}

int
mcp_size_parse(const char *s, uint64_t *bytes)
{
	uint64_t n, mult = 1, v;
	const char *p = s;

	if (s == NULL || digits(&p, &n) < 0)
		return -1;
	switch (*p) {
	case '\0':
		break;
	case 'K':
		mult = 1ULL << 10;
		break;
	case 'M':
		mult = 1ULL << 20;
		break;
	case 'G':
		mult = 1ULL << 30;
		break;
	default:
		return -1;
	}
	if (*p != '\0') {
		p++;
		if (*p == 'i') /* "Mi" is the same as "M": both binary */
			p++;
		if (*p != '\0')
			return -1;
	}
	if (mul(n, mult, &v) < 0 || v == 0)
		return -1;
	*bytes = v;
	return 0;
}

int
mcp_duration_parse(const char *s, uint64_t *ms)
{
	/* Units in the only order allowed; each at most once. */
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = {
	    {"h", 3600000},
	    {"m", 60000},
	    {"s", 1000},
	    {"ms", 1},
	};
	const char *p = s;
	uint64_t total = 0, n, v;
	size_t next = 0, u, len;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		if (digits(&p, &n) < 0)
			return -1;
		/* Longest unit first, so "ms" is not read as "m" then "s". */
		for (u = next; u < 4; u++) {
			if (strcmp(units[u].name, "m") == 0 && p[0] == 'm' &&
			    p[1] == 's')
				continue;
			len = strlen(units[u].name);
			if (strncmp(p, units[u].name, len) == 0)
				break;
		}
		if (u == 4)
			return -1; /* no unit, unknown, repeated or out of order
			            */
		p += strlen(units[u].name);
		if (mul(n, units[u].ms, &v) < 0 || total > UINT64_MAX - v)
			return -1;
		total += v;
		next = u + 1;
	}
	if (total == 0)
		return -1;
	*ms = total;
	return 0;
}

char *
mcp_size_format(uint64_t bytes, char *buf, size_t n)
{
	if (bytes != 0 && bytes % (1ULL << 30) == 0)
		snprintf(buf, n, "%lluG", (unsigned long long)(bytes >> 30));
	else if (bytes != 0 && bytes % (1ULL << 20) == 0)
		snprintf(buf, n, "%lluM", (unsigned long long)(bytes >> 20));
	else if (bytes != 0 && bytes % (1ULL << 10) == 0)
		snprintf(buf, n, "%lluK", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, n, "%llu", (unsigned long long)bytes);
	return buf;
}

char *
mcp_duration_format(uint64_t ms, char *buf, size_t n)
{
	unsigned long long h = ms / 3600000, m = ms / 60000 % 60,
	                   s = ms / 1000 % 60, r = ms % 1000;
	size_t o = 0;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	if (ms == 0) {
		snprintf(buf, n, "0s");
		return buf;
	}
	/* The same grammar mcp_duration_parse reads back. */
	if (h != 0 && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%lluh", h);
	if (m != 0 && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%llum", m);
	if (s != 0 && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%llus", s);
	if (r != 0 && o < n)
		snprintf(buf + o, n - o, "%llums", r);
	return buf;
}
