/*
 * fuzz_audit.c: the checker of one stored audit log line and the canonical
 * form it insists on (mcp-audit/chain.c).
 *
 * The input is one log line (a trailing newline is dropped).  It is
 * checked as it is, then "resealed": when it ends in
 * ,"hash":"sha256:<64 hex>"} the hash is recomputed over the rest, so
 * that mutations reach the checks behind the hash.  Invariants:
 *   - the one-pass fast checker accepts a line only if the reference
 *     checker accepts it too, with the same seq, prev and hash (verify
 *     trusts the fast path);
 *   - a line the reference checker accepts is rebuilt byte for byte by
 *     mcp_audit_line_build() from its members (the writer and the checker
 *     agree on the canonical form);
 *   - the canonical form of any JSON value is a fixed point: parsing and
 *     serialising it again gives the same bytes.
 */
#include <mcp-config.h>

#include <string.h>

#include "audit.h"
#include "fuzz.h"

int mcp_audit_quiet = 1;

static void
rebuild(const char *p, size_t n)
{
	struct abuf line = {0};
	char hash[MCP_AUDIT_HASH_MAX];
	struct mcp_err e;
	json_t *o;

	o = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_ASSERT(o != NULL);
	mcp_err_init(&e);
	FUZZ_ASSERT(
	    mcp_audit_line_build(
	        &line, (long long)json_integer_value(json_object_get(o, "seq")),
	        json_string_value(json_object_get(o, "time")),
	        json_string_value(json_object_get(o, "host")),
	        json_string_value(json_object_get(o, "user")),
	        json_string_value(json_object_get(o, "prev")),
	        json_object_get(o, "record"), hash, &e) == 0);
	FUZZ_ASSERT(line.len == n + 1 && memcmp(line.p, p, n) == 0);
	FUZZ_ASSERT(
	    strcmp(hash, json_string_value(json_object_get(o, "hash"))) == 0);
	abuf_release(&line);
	json_decref(o);
}

static void
check_line(const char *p, size_t n)
{
	struct mcp_audit_entry ref, fast;
	struct abuf scratch = {0};
	struct mcp_err e;
	int rc;

	memset(&ref, 0, sizeof(ref));
	memset(&fast, 0, sizeof(fast));
	mcp_err_init(&e);
	rc = mcp_audit_line_check(p, n, &scratch, 1, &ref, &e);
	fuzz_report("audit", rc, e.msg);
	if (rc < 0)
		FUZZ_ASSERT(e.cat == MCP_ERR_VERIFY && e.msg[0] != '\0');
	if (mcp_audit_line_fast(p, n, &scratch, &fast) == 0) {
		FUZZ_ASSERT(rc == 0);
		FUZZ_ASSERT(fast.seq == ref.seq);
		FUZZ_ASSERT(strcmp(fast.prev, ref.prev) == 0);
		FUZZ_ASSERT(strcmp(fast.hash, ref.hash) == 0);
	}
	json_decref(ref.line);
	abuf_release(&scratch);
	if (rc == 0)
		rebuild(p, n);
}

/* Recompute the hash of a line ending in ,"hash":"sha256:<hex>"}. */
static void
reseal(char *l, size_t n)
{
	static const char tag[] = ",\"hash\":\"sha256:";
	const size_t tail = sizeof(tag) - 1 + 64 + 2;
	char d[MCP_AUDIT_HASH_MAX], *h;
	struct abuf t = {0};

	if (n < tail + 1)
		return;
	h = l + n - tail;
	if (memcmp(h, tag, sizeof(tag) - 1) != 0 ||
	    memcmp(l + n - 2, "\"}", 2) != 0)
		return;
	abuf_put(&t, l, (size_t)(h - l));
	abuf_putc(&t, '}');
	mcp_audit_sha256(t.p, t.len, d);
	memcpy(h + sizeof(tag) - 1, d + 7, 64);
	abuf_release(&t);
}

static void
canon_fixed_point(const char *p, size_t n)
{
	struct abuf a = {0}, b = {0};
	struct mcp_err e;
	json_t *v, *w;

	v = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (v == NULL)
		return;
	mcp_err_init(&e);
	if (mcp_audit_canon(&a, v, &e) == 0) {
		w = json_loadb(a.p, a.len,
		               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
		FUZZ_ASSERT(w != NULL);
		FUZZ_ASSERT(mcp_audit_canon(&b, w, &e) == 0);
		FUZZ_ASSERT(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
		json_decref(w);
	} else {
		FUZZ_ASSERT(e.cat == MCP_ERR_VERIFY);
	}
	abuf_release(&a);
	abuf_release(&b);
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *l;

	if (size > 0 && data[size - 1] == '\n')
		size--;
	l = fuzz_strdup(data, size);
	check_line(l, size);
	reseal(l, size);
	check_line(l, size);
	canon_fixed_point(l, size);
	free(l);
	return 0;
}
