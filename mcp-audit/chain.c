/*
 * chain.c: the canonical serialisation of a log line and its hash.
 *
 * Invariant: the bytes hashed are exactly what `jq -cS 'del(.hash)'`
 * prints for the line (jq 1.6 and later), so an administrator can
 * recompute any hash with jq and sha256sum and need not trust this code.
 * That is why numbers are restricted to integers jq holds exactly and
 * strings are escaped the way jq escapes them (\u007f, lowercase hex).
 */
#include <mcp-config.h>

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "digest.h"
#include "xalloc.h"

void
abuf_put(struct abuf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n + 1) {
		size_t cap = b->cap ? b->cap : 1024;

		while (cap - b->len < n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
abuf_putc(struct abuf *b, char c)
{
	abuf_put(b, &c, 1);
}

void
abuf_puts(struct abuf *b, const char *s)
{
	abuf_put(b, s, strlen(s));
}

void
abuf_release(struct abuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* jq's string escaping: the two mandatory escapes, the five short forms,
 * \u00xx (lowercase) for the other C0 controls and DEL; UTF-8 as is. */
static void
canon_string(struct abuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	char esc[7];

	abuf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
			continue;
		abuf_put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			rep = "\\\"";
			break;
		case '\\':
			rep = "\\\\";
			break;
		case '\b':
			rep = "\\b";
			break;
		case '\f':
			rep = "\\f";
			break;
		case '\n':
			rep = "\\n";
			break;
		case '\r':
			rep = "\\r";
			break;
		case '\t':
			rep = "\\t";
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc[6] = '\0';
			rep = esc;
		}
		abuf_puts(b, rep);
	}
	abuf_put(b, s + run, n - run);
	abuf_putc(b, '"');
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
mcp_audit_canon(struct abuf *b, const json_t *v, struct mcp_err *e)
{
	char num[32];
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char **keys;
		void *it;

		n = json_object_size(v);
		keys = xcalloc(n ? n : 1, sizeof(*keys));
		i = 0;
		for (it = json_object_iter((json_t *)v); it != NULL;
		     it = json_object_iter_next((json_t *)v, it))
			keys[i++] = json_object_iter_key(it);
		/* strcmp orders UTF-8 by code point, as jq -S does. */
		qsort(keys, n, sizeof(*keys), key_cmp);
		abuf_putc(b, '{');
		for (i = 0; i < n; i++) {
			if (i > 0)
				abuf_putc(b, ',');
			canon_string(b, keys[i], strlen(keys[i]));
			abuf_putc(b, ':');
			if (mcp_audit_canon(b, json_object_get(v, keys[i]), e) <
			    0) {
				free(keys);
				return -1;
			}
		}
		abuf_putc(b, '}');
		free(keys);
		return 0;
	}
	case JSON_ARRAY:
		abuf_putc(b, '[');
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0)
				abuf_putc(b, ',');
			if (mcp_audit_canon(b, json_array_get(v, i), e) < 0)
				return -1;
		}
		abuf_putc(b, ']');
		return 0;
	case JSON_STRING:
		canon_string(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(v);

		if (x > MCP_AUDIT_INT_MAX || x < -MCP_AUDIT_INT_MAX)
			return mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "integer %lld out of the canonical range",
			    (long long)x);
		snprintf(num, sizeof(num), "%lld", (long long)x);
		abuf_puts(b, num);
		return 0;
	}
	case JSON_REAL:
		/* jq 1.6 and 1.7 print fractions differently; never hash one.
		 */
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "non-integer number in a log line");
	case JSON_TRUE:
		abuf_puts(b, "true");
		return 0;
	case JSON_FALSE:
		abuf_puts(b, "false");
		return 0;
	case JSON_NULL:
		abuf_puts(b, "null");
		return 0;
	}
	return mcp_err_set(e, MCP_ERR_VERIFY, "unknown JSON type");
}

void
mcp_audit_sha256(const void *p, size_t n, char out[MCP_AUDIT_HASH_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	size_t i;

	/* One-shot, no allocation: this runs once per line of the log. */
	mcp_sha256(p, n, md);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < sizeof(md); i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[7 + 2 * sizeof(md)] = '\0';
}

/* The hash member goes last, so the line reads in chain order. */
static void
add_hash(struct abuf *line, const char *hash)
{
	line->len--; /* the closing brace */
	abuf_puts(line, ",\"hash\":\"");
	abuf_puts(line, hash);
	abuf_puts(line, "\"}");
}

int
mcp_audit_line_build(struct abuf *line, long long seq, const char *time,
                     const char *host, const char *user, const char *prev,
                     const json_t *record, char hash[MCP_AUDIT_HASH_MAX],
                     struct mcp_err *e)
{
	json_t *o;
	int rc;

	o = json_pack("{sIsssssssssO}", "seq", (json_int_t)seq, "time", time,
	              "host", host, "user", user, "prev", prev, "record",
	              record);
	if (o == NULL)
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "cannot build the log line (invalid UTF-8 "
		                   "in host or user name?)");
	line->len = 0;
	rc = mcp_audit_canon(line, o, e);
	json_decref(o);
	if (rc < 0)
		return -1;
	mcp_audit_sha256(line->p, line->len, hash);
	add_hash(line, hash);
	abuf_putc(line, '\n');
	return 0;
}

static const char *const line_keys[] = {"hash", "host", "prev", "record",
                                        "seq",  "time", "user", NULL};

int
mcp_audit_line_check(const char *p, size_t n, struct abuf *scratch, int keep,
                     struct mcp_audit_entry *ent, struct mcp_err *e)
{
	json_error_t je;
	json_t *o, *x;
	const char *hash, *prev, *k, *kind;
	char want[MCP_AUDIT_HASH_MAX];
	void *it;
	size_t i;
	int rc = -1;

	ent->line = NULL;
	o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL)
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "not JSON (column %d: %s)", je.column,
		                   je.text);
	if (!json_is_object(o)) {
		mcp_err_set(e, MCP_ERR_VERIFY, "not a JSON object");
		goto out;
	}
	for (it = json_object_iter(o); it != NULL;
	     it = json_object_iter_next(o, it)) {
		k = json_object_iter_key(it);
		for (i = 0; line_keys[i] != NULL; i++)
			if (strcmp(k, line_keys[i]) == 0)
				break;
		if (line_keys[i] == NULL) {
			mcp_err_set(e, MCP_ERR_VERIFY,
			            "unexpected member \"%.64s\"", k);
			goto out;
		}
	}
	x = json_object_get(o, "seq");
	if (!json_is_integer(x) || json_integer_value(x) < 1) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "seq: missing or not a positive integer");
		goto out;
	}
	ent->seq = (long long)json_integer_value(x);
	hash = json_string_value(json_object_get(o, "hash"));
	prev = json_string_value(json_object_get(o, "prev"));
	if (hash == NULL || !mcp_digest_valid_sha256(hash)) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "hash: missing or not a sha256 digest");
		goto out;
	}
	if (prev == NULL || !mcp_digest_valid_sha256(prev)) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "prev: missing or not a sha256 digest");
		goto out;
	}
	if (!json_is_string(json_object_get(o, "time")) ||
	    !json_is_string(json_object_get(o, "host")) ||
	    !json_is_string(json_object_get(o, "user"))) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "time, host, user: missing or not strings");
		goto out;
	}
	/* Any string kind: append checked "mcp." before redaction, which
	 * may have cut a (silly) secret out of the kind itself. */
	x = json_object_get(o, "record");
	kind = json_string_value(json_object_get(x, "kind"));
	if (!json_is_object(x) || kind == NULL) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "record: missing or without a string \"kind\"");
		goto out;
	}
	snprintf(ent->hash, sizeof(ent->hash), "%s", hash);
	snprintf(ent->prev, sizeof(ent->prev), "%s", prev);

	/* Recompute, and insist the stored bytes are the canonical ones:
	 * a line that means the same but is written differently was not
	 * written by mcp-audit. */
	json_object_del(o, "hash");
	scratch->len = 0;
	if (mcp_audit_canon(scratch, o, e) < 0)
		goto out;
	mcp_audit_sha256(scratch->p, scratch->len, want);
	if (strcmp(want, ent->hash) != 0) {
		mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "hash mismatch (line edited): stored %s, computed %s",
		    ent->hash, want);
		goto out;
	}
	add_hash(scratch, ent->hash);
	if (scratch->len != n || memcmp(scratch->p, p, n) != 0) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "not in canonical form (line rewritten)");
		goto out;
	}
	if (keep) {
		json_object_set_new(o, "hash", json_string(ent->hash));
		ent->line = o;
		o = NULL;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/*
 * The fast path of verify: one pass over the bytes that accepts a line
 * only if it is exactly in canonical form, so that hashing its own bytes
 * is hashing the canonical serialisation.  It is at least as strict as
 * mcp_audit_line_check() (valid UTF-8 without surrogates, no \u0000,
 * strictly increasing keys, integers in range, no white space); anything
 * it does not accept goes to that function, which decides and explains.
 */
struct scan {
	const unsigned char *p, *end;
	int depth;
};

#define SCAN_MAX_DEPTH 2048 /* jansson's own limit */

/* Length of the valid UTF-8 sequence at P (2-4 bytes), 0 if invalid;
 * the rules of RFC 3629, which jansson enforces on input. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	unsigned long cp;
	size_t n, i;

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
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static int
hexdig(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* uppercase is not canonical */
}

/* A canonical string at S->p (its opening quote): the body's span, and
 * whether it holds an escape. */
static int
scan_string(struct scan *s, const unsigned char **body, size_t *len, int *esc)
{
	const unsigned char *p = s->p + 1;
	int hi, lo, v;
	size_t k;

	*esc = 0;
	*body = p;
	for (;;) {
		if (p >= s->end)
			return -1;
		if (*p == '"')
			break;
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		if (*p == '\\') {
			*esc = 1;
			if (s->end - p < 2)
				return -1;
			switch (p[1]) {
			case '"':
			case '\\':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				p += 2;
				continue;
			case 'u':
				if (s->end - p < 6 || p[2] != '0' ||
				    p[3] != '0')
					return -1;
				hi = hexdig(p[4]);
				lo = hexdig(p[5]);
				if (hi < 0 || lo < 0)
					return -1;
				v = hi * 16 + lo;
				/* Only controls without a short form; never
				 * NUL, which jansson refuses. */
				if (v == 0 || v == '\b' || v == '\f' ||
				    v == '\n' || v == '\r' || v == '\t' ||
				    (v >= 0x20 && v != 0x7f))
					return -1;
				p += 6;
				continue;
			default:
				return -1;
			}
		}
		if (*p < 0x80) {
			p++;
			continue;
		}
		k = utf8_seq(p, s->end);
		if (k == 0)
			return -1;
		p += k;
	}
	*len = (size_t)(p - *body);
	s->p = p + 1;
	return 0;
}

/* Decode a string body into OUT (at least LEN bytes); its length. */
static size_t
unescape(const unsigned char *b, size_t len, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		if (b[i] != '\\') {
			out[o++] = b[i++];
			continue;
		}
		switch (b[i + 1]) {
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u':
			out[o++] = (unsigned char)(hexdig(b[i + 4]) * 16 +
			                           hexdig(b[i + 5]));
			i += 6;
			continue;
		default: /* '"' and '\\' */
			out[o++] = b[i + 1];
		}
		i += 2;
	}
	return o;
}

struct span {
	const unsigned char *b;
	size_t len;
	int esc;
};

/* strcmp order of two keys, compared decoded (escapes sort by the
 * character they stand for).  -2 when a key is too long to decode here. */
static int
key_order(const struct span *a, const struct span *b)
{
	unsigned char da[512], db[512];
	const unsigned char *x = a->b, *y = b->b;
	size_t xl = a->len, yl = b->len;
	int c;

	if (a->esc || b->esc) {
		if (xl > sizeof(da) || yl > sizeof(db))
			return -2;
		xl = unescape(a->b, a->len, da);
		yl = unescape(b->b, b->len, db);
		x = da;
		y = db;
	}
	c = memcmp(x, y, xl < yl ? xl : yl);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return xl < yl ? -1 : xl > yl ? 1 : 0;
}

static int scan_value(struct scan *s, struct span *kind);

/* An object; when KIND is set, the value of its "kind" member. */
static int
scan_object(struct scan *s, struct span *kind)
{
	struct span prev = {0}, key;
	int first = 1;

	if (++s->depth > SCAN_MAX_DEPTH)
		return -1;
	s->p++;
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (s->p >= s->end || *s->p != '"' ||
		    scan_string(s, &key.b, &key.len, &key.esc) < 0)
			return -1;
		/* Strictly increasing: sorted, and no duplicate. */
		if (!first && key_order(&prev, &key) != -1)
			return -1;
		first = 0;
		prev = key;
		if (s->p >= s->end || *s->p != ':')
			return -1;
		s->p++;
		if (kind != NULL && key.len == 4 &&
		    memcmp(key.b, "kind", 4) == 0) {
			if (s->p >= s->end || *s->p != '"' ||
			    scan_string(s, &kind->b, &kind->len, &kind->esc) <
			        0)
				return -1;
		} else if (scan_value(s, NULL) < 0) {
			return -1;
		}
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p != '}')
			return -1;
		s->p++;
		s->depth--;
		return 0;
	}
}

/* An integer in the canonical range: no sign on zero, no leading zero,
 * no fraction or exponent. */
static int
scan_int(struct scan *s, long long *out)
{
	long long v = 0;
	int neg = 0, nd = 0;

	if (*s->p == '-') {
		neg = 1;
		s->p++;
	}
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return -1;
	if (*s->p == '0') {
		s->p++;
		if (neg)
			return -1;
	} else {
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
			if (++nd > 16)
				return -1;
			v = v * 10 + (*s->p++ - '0');
		}
		if (v > MCP_AUDIT_INT_MAX)
			return -1;
	}
	if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E' ||
	                      (*s->p >= '0' && *s->p <= '9')))
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static int
scan_lit(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int
scan_value(struct scan *s, struct span *kind)
{
	struct span str;
	long long v;

	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
		return scan_object(s, kind);
	case '[':
		if (++s->depth > SCAN_MAX_DEPTH)
			return -1;
		s->p++;
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			s->depth--;
			return 0;
		}
		for (;;) {
			if (scan_value(s, NULL) < 0 || s->p >= s->end)
				return -1;
			if (*s->p == ',') {
				s->p++;
				continue;
			}
			if (*s->p != ']')
				return -1;
			s->p++;
			s->depth--;
			return 0;
		}
	case '"':
		return scan_string(s, &str.b, &str.len, &str.esc);
	case 't':
		return scan_lit(s, "true", 4);
	case 'f':
		return scan_lit(s, "false", 5);
	case 'n':
		return scan_lit(s, "null", 4);
	default:
		return scan_int(s, &v);
	}
}

/* ,"KEY": (or {"KEY": for the first) at S->p. */
static int
scan_key(struct scan *s, const char *lit)
{
	return scan_lit(s, lit, strlen(lit));
}

static int
scan_digest(const unsigned char *b, size_t len)
{
	size_t i;

	if (len != 71 || memcmp(b, "sha256:", 7) != 0)
		return -1;
	for (i = 7; i < 71; i++)
		if (hexdig(b[i]) < 0)
			return -1;
	return 0;
}

int
mcp_audit_line_fast(const char *line, size_t n, struct abuf *scratch,
                    struct mcp_audit_entry *ent)
{
	struct scan s = {(const unsigned char *)line,
	                 (const unsigned char *)line + n, 0};
	struct span str, prev, kind = {NULL, 0, 0};
	const unsigned char *cut;
	char want[MCP_AUDIT_HASH_MAX];
	long long seq;

	ent->line = NULL;
	s.depth = 1;
	if (scan_key(&s, "{\"host\":") < 0 || *s.p != '"' ||
	    scan_string(&s, &str.b, &str.len, &str.esc) < 0 ||
	    scan_key(&s, ",\"prev\":") < 0 || *s.p != '"' ||
	    scan_string(&s, &prev.b, &prev.len, &prev.esc) < 0 ||
	    scan_digest(prev.b, prev.len) < 0 ||
	    scan_key(&s, ",\"record\":") < 0 || *s.p != '{' ||
	    scan_object(&s, &kind) < 0 || kind.b == NULL ||
	    scan_key(&s, ",\"seq\":") < 0 || s.p >= s.end || *s.p == '-' ||
	    scan_int(&s, &seq) < 0 || seq < 1 ||
	    scan_key(&s, ",\"time\":") < 0 || *s.p != '"' ||
	    scan_string(&s, &str.b, &str.len, &str.esc) < 0 ||
	    scan_key(&s, ",\"user\":") < 0 || *s.p != '"' ||
	    scan_string(&s, &str.b, &str.len, &str.esc) < 0)
		return -1;
	cut = s.p;
	if (scan_key(&s, ",\"hash\":") < 0 || *s.p != '"' ||
	    scan_string(&s, &str.b, &str.len, &str.esc) < 0 ||
	    scan_digest(str.b, str.len) < 0 || scan_key(&s, "}") < 0 ||
	    s.p != s.end)
		return -1;
	/* The canonical form without hash: the bytes before ,"hash" + '}'. */
	scratch->len = 0;
	abuf_put(scratch, line, (size_t)(cut - (const unsigned char *)line));
	abuf_putc(scratch, '}');
	mcp_audit_sha256(scratch->p, scratch->len, want);
	if (memcmp(want, str.b, 71) != 0)
		return -1;
	ent->seq = seq;
	memcpy(ent->prev, prev.b, 71);
	ent->prev[71] = '\0';
	memcpy(ent->hash, str.b, 71);
	ent->hash[71] = '\0';
	return 0;
}
