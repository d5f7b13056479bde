/*
 * redact.c: what never reaches the log (DESIGN.md invariant 4).
 *
 * Secrets are redacted by value: the value of each named environment
 * variable is replaced by "[REDACTED]" wherever it occurs in any string,
 * object keys included, so a secret copied into an argv, an error message
 * or a URL is caught too.  Values under sensitive-looking keys are replaced
 * whole.  Redaction happens before hashing, so the hash covers exactly the
 * bytes stored.
 */
#include <mcp-config.h>

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "xalloc.h"

#define REDACTED "[REDACTED]"

static const char *const default_keys[] = {
    "*_TOKEN", "*_SECRET", "*_KEY", "*_PASSWORD", "authorization", NULL,
};

void
mcp_redact_init(struct mcp_redact *r, const char *const *keys, size_t nkeys)
{
	memset(r, 0, sizeof(*r));
	r->keys = keys;
	r->nkeys = nkeys;
}

void
mcp_redact_release(struct mcp_redact *r)
{
	size_t i;

	for (i = 0; i < r->nvalues; i++)
		mcp_free_secret(r->values[i]);
	for (i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->values);
	free(r->names);
	r->values = r->names = NULL;
	r->nvalues = r->nnames = 0;
}

/* Longest first: a secret that contains another is replaced whole. */
static int
len_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

int
mcp_redact_add_env(struct mcp_redact *r, const char *name)
{
	const char *v;
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0)
			return 0;
	r->names = xrealloc(r->names, (r->nnames + 1) * sizeof(*r->names));
	r->names[r->nnames++] = xstrdup(name);
	/* Our own environment: the caller exports the same variables the
	 * server gets, so the values are the ones that could leak. */
	v = getenv(name);
	if (v == NULL || v[0] == '\0')
		return 0;
	for (i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i], v) == 0)
			return 0;
	r->values = xrealloc(r->values, (r->nvalues + 1) * sizeof(*r->values));
	r->values[r->nvalues++] = xstrdup(v);
	qsort(r->values, r->nvalues, sizeof(*r->values), len_desc);
	return strlen(v) < 4;
}

int
mcp_redact_key_match(const struct mcp_redact *r, const char *key)
{
	size_t i;

	for (i = 0; default_keys[i] != NULL; i++)
		if (fnmatch(default_keys[i], key, FNM_CASEFOLD) == 0)
			return 1;
	for (i = 0; i < r->nkeys; i++)
		if (fnmatch(r->keys[i], key, FNM_CASEFOLD) == 0)
			return 1;
	return 0;
}

/* S with every secret value replaced; NULL if S holds none. */
static char *
redact_str(const struct mcp_redact *r, const char *s, size_t n)
{
	struct abuf b = {0};
	const char *hit, *best;
	size_t i, pos = 0, blen = 0, rest;
	int any = 0;

	for (;;) {
		best = NULL;
		rest = n - pos;
		/* The earliest occurrence of any secret, longest on a tie. */
		for (i = 0; i < r->nvalues; i++) {
			size_t vl = strlen(r->values[i]);

			hit = vl <= rest
			          ? memmem(s + pos, rest, r->values[i], vl)
			          : NULL;
			if (hit != NULL && (best == NULL || hit < best)) {
				best = hit;
				blen = vl;
			}
		}
		if (best == NULL)
			break;
		any = 1;
		abuf_put(&b, s + pos, (size_t)(best - (s + pos)));
		abuf_puts(&b, REDACTED);
		pos = (size_t)(best - s) + blen;
	}
	if (!any)
		return NULL;
	abuf_put(&b, s + pos, n - pos);
	return b.p;
}

char *
mcp_redact_text(const struct mcp_redact *r, const char *s)
{
	char *red = redact_str(r, s, strlen(s));

	return red != NULL ? red : xstrdup(s);
}

/* A number jq would not print back exactly becomes its shortest
 * round-tripping decimal, as a string (mcp-audit(1), CANONICAL FORM). */
static json_t *
number_as_string(double d)
{
	char buf[40];
	int prec;

	if (!isfinite(d))
		return json_string("nan");
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return json_string(buf);
}

json_t *
mcp_redact_copy(const struct mcp_redact *r, const json_t *v, size_t *nconv)
{
	json_t *out;
	char *red;
	void *it;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		out = json_object();
		for (it = json_object_iter((json_t *)v); it != NULL;
		     it = json_object_iter_next((json_t *)v, it)) {
			const char *k = json_object_iter_key(it);
			json_t *x = json_object_iter_value(it);
			char *rk = redact_str(r, k, strlen(k));
			const char *key = rk ? rk : k;
			json_t *nv;

			if (mcp_redact_key_match(r, key))
				nv = json_string(REDACTED);
			else
				nv = mcp_redact_copy(r, x, nconv);
			/* Two keys that differ only in a secret: keep both. */
			if (json_object_get(out, key) != NULL) {
				char *alt;

				for (i = 2;; i++) {
					alt = xasprintf("%s#%zu", key, i);
					if (json_object_get(out, alt) == NULL)
						break;
					free(alt);
				}
				json_object_set_new(out, alt, nv);
				free(alt);
			} else {
				json_object_set_new(out, key, nv);
			}
			mcp_free_secret(rk);
		}
		return out;
	case JSON_ARRAY:
		out = json_array();
		for (i = 0; i < json_array_size(v); i++)
			json_array_append_new(
			    out,
			    mcp_redact_copy(r, json_array_get(v, i), nconv));
		return out;
	case JSON_STRING:
		red =
		    redact_str(r, json_string_value(v), json_string_length(v));
		if (red == NULL)
			return json_copy((json_t *)v);
		out = json_string(red);
		mcp_free_secret(red);
		/* A secret that is not valid UTF-8 cut a character in two:
		 * drop the whole string rather than store half a secret. */
		return out != NULL ? out : json_string(REDACTED);
	case JSON_INTEGER:
		if (json_integer_value(v) > MCP_AUDIT_INT_MAX ||
		    json_integer_value(v) < -MCP_AUDIT_INT_MAX) {
			char buf[32];

			(*nconv)++;
			snprintf(buf, sizeof(buf), "%lld",
			         (long long)json_integer_value(v));
			return json_string(buf);
		}
		return json_copy((json_t *)v);
	case JSON_REAL:
		(*nconv)++;
		return number_as_string(json_real_value(v));
	default:
		return json_copy((json_t *)v);
	}
}
