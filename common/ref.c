/*
 * ref.c: package references (ORG/NAME@REF) and semantic versions.
 *
 * Invariant: a reference that parses names exactly one package and one
 * ref, in one spelling, using nothing but printable ASCII from a small
 * alphabet.  So it cannot smuggle a path (".", "..", "/", "%2e"), an option
 * ("-x"), a look-alike (fullwidth digits, homoglyphs, zero-width or bidi
 * characters) or a second reference into a URL or a cache path.  Every
 * check is done here, before any network or cache access.
 */
#include <mcp-config.h>

#include <stdio.h>
#include <string.h>

#include "ref.h"

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_lower_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int
is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_name_char(int c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

/* 1 if [S, S+N) is a valid ORG or NAME. */
static int
name_valid_n(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MCP_NAME_MAX || !is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int
mcp_name_valid(const char *s)
{
	return name_valid_n(s, strlen(s));
}

int
mcp_pkgid_valid(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash != NULL && name_valid_n(s, (size_t)(slash - s)) &&
	       mcp_name_valid(slash + 1);
}

static int
hex_valid_n(const char *s, size_t want)
{
	size_t i;

	for (i = 0; i < want; i++)
		if (!is_lower_hex((unsigned char)s[i]))
			return 0;
	return s[want] == '\0';
}

int
mcp_gitsha_valid(const char *s)
{
	return strlen(s) == 40 && hex_valid_n(s, 40);
}

/*
 * Semver 2.0.0 (https://semver.org/spec/v2.0.0.html, "Backus-Naur Form").
 * A numeric identifier has no leading zero; pre-release identifiers that are
 * all digits are numeric; build identifiers may have leading zeros.
 */

/* Length of the dot-free identifier at S ([0-9A-Za-z-]*). */
static size_t
ident_len(const char *s)
{
	size_t n = 0;

	while (is_alnum((unsigned char)s[n]) || s[n] == '-')
		n++;
	return n;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A numeric identifier: "0" or [1-9][0-9]*. */
static int
numeric_ok(const char *s, size_t n)
{
	return n > 0 && all_digits(s, n) && (n == 1 || s[0] != '0');
}

int
mcp_semver_valid(const char *s)
{
	const char *p = s;
	size_t n;
	int i;

	if (strlen(s) > MCP_VERSION_MAX)
		return 0;
	for (i = 0; i < 3; i++) {
		for (n = 0; is_digit((unsigned char)p[n]); n++)
			;
		if (!numeric_ok(p, n))
			return 0;
		p += n;
		if (i < 2 && *p++ != '.')
			return 0;
	}
	if (*p == '-') {
		do {
			p++;
			n = ident_len(p);
			if (n == 0)
				return 0;
			if (all_digits(p, n) && !numeric_ok(p, n))
				return 0;
			p += n;
		} while (*p == '.');
	}
	if (*p == '+') {
		do {
			p++;
			n = ident_len(p);
			if (n == 0)
				return 0;
			p += n;
		} while (*p == '.');
	}
	return *p == '\0';
}

int
mcp_semver_is_prerelease(const char *s)
{
	/* The core has no '-', so the first '-' before any '+' starts the
	 * pre-release (a '-' after '+' is build metadata). */
	size_t n = strcspn(s, "-+");

	return s[n] == '-';
}

/* Compare digit strings without converting: versions may hold numbers
 * far beyond 64 bits, and no leading zeros means longer is larger. */
static int
cmp_numeric(const char *a, size_t an, const char *b, size_t bn)
{
	int c;

	/* Leading zeros are invalid, but keep the order total anyway. */
	while (an > 1 && *a == '0')
		a++, an--;
	while (bn > 1 && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	c = memcmp(a, b, an);
	return c < 0 ? -1 : c > 0;
}

/* Compare two identifiers by semver rule 11.4. */
static int
cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
	int anum = an > 0 && all_digits(a, an);
	int bnum = bn > 0 && all_digits(b, bn);
	size_t m = an < bn ? an : bn;
	int c;

	if (anum && bnum)
		return cmp_numeric(a, an, b, bn);
	if (anum != bnum)
		return anum ? -1 : 1; /* numeric < alphanumeric */
	c = memcmp(a, b, m);          /* ASCII order */
	if (c != 0)
		return c < 0 ? -1 : 1;
	return an == bn ? 0 : (an < bn ? -1 : 1);
}

/* Length of the version without build metadata. */
static size_t
nobuild_len(const char *s)
{
	return strcspn(s, "+");
}

int
mcp_semver_cmp(const char *a, const char *b)
{
	size_t al = nobuild_len(a), bl = nobuild_len(b);
	size_t ai = 0, bi = 0, an, bn;
	int i, c;

	/* major.minor.patch, numerically */
	for (i = 0; i < 3; i++) {
		an = strcspn(a + ai, ".-+");
		bn = strcspn(b + bi, ".-+");
		c = cmp_numeric(a + ai, an, b + bi, bn);
		if (c != 0)
			return c;
		ai += an;
		bi += bn;
		if (i < 2) {
			ai += a[ai] == '.';
			bi += b[bi] == '.';
		}
	}
	/* A pre-release has lower precedence than the release. */
	if (ai >= al || bi >= bl)
		return (ai >= al) == (bi >= bl) ? 0 : (ai >= al ? 1 : -1);
	ai++; /* skip '-' */
	bi++;
	for (;;) {
		if (ai > al || bi > bl)
			/* A larger set of fields has higher precedence. */
			return (ai > al) == (bi > bl) ? 0 : (ai > al ? -1 : 1);
		an = strcspn(a + ai, ".+");
		bn = strcspn(b + bi, ".+");
		c = cmp_ident(a + ai, an, b + bi, bn);
		if (c != 0)
			return c;
		ai += an + 1;
		bi += bn + 1;
	}
}

const char *
mcp_ref_kind_name(enum mcp_ref_kind k)
{
	switch (k) {
	case MCP_REF_LATEST:
		return "latest";
	case MCP_REF_VERSION:
		return "version";
	case MCP_REF_GITSHA:
		return "git_sha";
	case MCP_REF_DIGEST:
		return "digest";
	}
	return "unknown";
}

char *
mcp_ref_format(const struct mcp_ref *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s@%s", r->org, r->name, r->ref);
	return buf;
}

/* Why [S, S+N) is not a valid ORG or NAME (WHAT names the part). */
static int
name_err(const char *ref, const char *what, const char *s, size_t n,
         struct mcp_err *e)
{
	size_t i;

	if (n == 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "invalid reference \"%.200s\": empty %s",
		                   ref, what);
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "invalid reference \"%.200s\": %s must not be \"%.*s\"",
		    ref, what, (int)n, s);
	if (n > MCP_NAME_MAX)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "invalid reference \"%.200s\": %s longer "
		                   "than %d characters",
		                   ref, what, MCP_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "invalid reference \"%.200s\": %s: invalid "
			    "character '%c' (allowed: A-Z a-z 0-9 _ -)",
			    ref, what, s[i]);
	return mcp_err_set(e, MCP_ERR_USAGE,
	                   "invalid reference \"%.200s\": %s must start with a "
	                   "letter or digit",
	                   ref, what);
}

int
mcp_ref_parse(struct mcp_ref *r, const char *s, struct mcp_err *e)
{
	const char *at, *slash, *v;
	size_t i, on, nn, vn;
	int allhex;

	memset(r, 0, sizeof(*r));
	if (*s == '\0')
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "invalid reference \"\": empty");
	if (*s == '-')
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "invalid reference \"%.200s\": must not start with \"-\"",
		    s);
	/* Byte classes first: the messages below quote single characters,
	 * which must be plain ASCII to be meaningful. */
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "invalid reference \"%.200s\": non-ASCII character",
			    s);
		if (c < 0x20 || c == 0x7f)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "invalid reference \"%.200s\": control character",
			    s);
		if (c == ' ')
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "invalid reference \"%.200s\": contains a space",
			    s);
		if (c == '%')
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "invalid reference \"%.200s\": "
			                   "percent-encoding is not allowed",
			                   s);
	}
	at = strchr(s, '@');
	if (at == NULL)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "invalid reference \"%.200s\": missing "
		                   "\"@\" (expected ORG/NAME@REF)",
		                   s);
	if (strchr(at + 1, '@') != NULL)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "invalid reference \"%.200s\": more than one \"@\"", s);
	slash = memchr(s, '/', (size_t)(at - s));
	if (slash == NULL)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "invalid reference \"%.200s\": missing "
		                   "\"/\" (expected ORG/NAME@REF)",
		                   s);
	if (memchr(slash + 1, '/', (size_t)(at - slash - 1)) != NULL ||
	    strchr(at, '/') != NULL)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "invalid reference \"%.200s\": more than one \"/\"", s);
	on = (size_t)(slash - s);
	nn = (size_t)(at - slash - 1);
	if (!name_valid_n(s, on))
		return name_err(s, "organisation", s, on, e);
	if (!name_valid_n(slash + 1, nn))
		return name_err(s, "name", slash + 1, nn, e);

	v = at + 1;
	vn = strlen(v);
	if (vn == 0)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "invalid reference \"%.200s\": empty ref after \"@\"", s);
	if (strcmp(v, "latest") == 0) {
		r->kind = MCP_REF_LATEST;
	} else if (strchr(v, ':') != NULL) {
		if (strncmp(v, "sha256:", 7) != 0 || vn != 7 + 64 ||
		    !hex_valid_n(v + 7, 64))
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "invalid reference \"%.200s\": digest must be "
			    "sha256: followed by 64 lowercase hex digits",
			    s);
		r->kind = MCP_REF_DIGEST;
	} else if (mcp_gitsha_valid(v)) {
		/* 40 hex digits cannot be a semver (no dots). */
		r->kind = MCP_REF_GITSHA;
	} else if (mcp_semver_valid(v)) {
		r->kind = MCP_REF_VERSION;
	} else {
		allhex = 1;
		for (i = 0; i < vn; i++)
			if (!is_digit((unsigned char)v[i]) &&
			    !((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'f'))
				allhex = 0;
		if (allhex && vn == 40)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "invalid reference \"%.200s\": git commit must be "
			    "40 lowercase hex digits",
			    s);
		if (vn > MCP_VERSION_MAX)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "invalid reference \"%.200s\": "
			                   "version longer than %d characters",
			                   s, MCP_VERSION_MAX);
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "invalid reference \"%.200s\": ref must be "
		                   "\"latest\", a semantic version, a 40-digit "
		                   "git commit or sha256:<64 hex>",
		                   s);
	}
	memcpy(r->org, s, on);
	memcpy(r->name, slash + 1, nn);
	memcpy(r->pkg, s, on + 1 + nn);
	memcpy(r->ref, v, vn);
	return 0;
}
