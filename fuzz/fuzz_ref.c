/*
 * fuzz_ref.c: package references and semantic versions (common/ref.c),
 * and the escaping of untrusted text for messages (common/err.c).
 *
 * The input is split at its first newline into A and B.  Invariants:
 * a parsed reference formats back to a string that parses to the same
 * reference; semver precedence is a total order on valid versions
 * (cmp(a, a) == 0, cmp(a, b) == -cmp(b, a)); an escaped message holds no
 * control byte and no invalid UTF-8.
 */
#include <mcp-config.h>

#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "ref.h"

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
check_ref(const char *s)
{
	struct mcp_ref r, r2;
	struct mcp_err e;
	char buf[sizeof(r.pkg) + sizeof(r.ref) + 2];

	mcp_err_init(&e);
	if (mcp_ref_parse(&r, s, &e) < 0) {
		FUZZ_ASSERT(e.cat == MCP_ERR_USAGE);
		FUZZ_ASSERT(memchr(e.msg, '\0', sizeof(e.msg)) != NULL);
		return;
	}
	FUZZ_ASSERT(mcp_name_valid(r.org) && mcp_name_valid(r.name));
	FUZZ_ASSERT(mcp_pkgid_valid(r.pkg));
	FUZZ_ASSERT(mcp_ref_kind_name(r.kind) != NULL);
	if (r.kind == MCP_REF_VERSION)
		FUZZ_ASSERT(mcp_semver_valid(r.ref));
	if (r.kind == MCP_REF_GITSHA)
		FUZZ_ASSERT(mcp_gitsha_valid(r.ref));
	mcp_ref_format(&r, buf, sizeof(buf));
	mcp_err_init(&e);
	FUZZ_ASSERT(mcp_ref_parse(&r2, buf, &e) == 0);
	FUZZ_ASSERT(r2.kind == r.kind && strcmp(r2.pkg, r.pkg) == 0 &&
	            strcmp(r2.ref, r.ref) == 0);
}

static void
check_semver(const char *a, const char *b)
{
	int va = mcp_semver_valid(a), vb = mcp_semver_valid(b);

	if (va) {
		FUZZ_ASSERT(strlen(a) <= MCP_VERSION_MAX);
		FUZZ_ASSERT(mcp_semver_cmp(a, a) == 0);
		(void)mcp_semver_is_prerelease(a);
	}
	if (va && vb)
		FUZZ_ASSERT(sign(mcp_semver_cmp(a, b)) ==
		            -sign(mcp_semver_cmp(b, a)));
}

static void
check_escape(const char *s)
{
	char out[256];
	const unsigned char *p;
	size_t k;

	mcp_escape(out, sizeof(out), s);
	FUZZ_ASSERT(memchr(out, '\0', sizeof(out)) != NULL);
	for (p = (const unsigned char *)out; *p != '\0'; p += k) {
		FUZZ_ASSERT(*p >= 0x20 && *p != 0x7f);
		k = mcp_utf8_len(p);
		FUZZ_ASSERT(k >= 1);
	}
	FUZZ_ASSERT(mcp_text_problem(out) == NULL);
	(void)mcp_text_problem(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *b = strchr(s, '\n');

	if (b != NULL)
		*b++ = '\0';
	else
		b = s;
	check_ref(s);
	check_semver(s, b);
	check_escape(s);
	free(s);
	return 0;
}
