/*
 * fuzz_spec.c: mcp-exec's strict reader of mcp.spec/v1 documents
 * (mcp-exec/spec.c) on the input bytes as a spec.
 *
 * Invariants: a refused spec is MCP_ERR_USAGE with a message; an accepted
 * one has a NULL-terminated argv of ARGC >= 1 strings whose first is an
 * absolute path, an absolute working directory, a umask of at most 0777,
 * limits inside the documented bounds, and an environment of valid names
 * mapped to strings.
 */
#include <mcp-config.h>

#include <string.h>

#include "doc.h"
#include "fuzz.h"
#include "spec.h"

static void
check(const struct mcp_spec *s)
{
	void *it;
	size_t i;

	FUZZ_ASSERT(s->argv != NULL && s->argc >= 1);
	FUZZ_ASSERT(s->argc <= SPEC_MAX_ARGS && s->argv[s->argc] == NULL);
	for (i = 0; i < s->argc; i++)
		FUZZ_ASSERT(s->argv[i] != NULL);
	FUZZ_ASSERT(s->argv[0][0] == '/');
	FUZZ_ASSERT(s->cwd != NULL && s->cwd[0] == '/');
	FUZZ_ASSERT((s->umask & ~(mode_t)0777) == 0);
	FUZZ_ASSERT(s->limits.cpu_millicores >= 1 &&
	            s->limits.cpu_millicores <= SPEC_MAX_MILLICORES);
	FUZZ_ASSERT(s->limits.memory_bytes >= 1 &&
	            s->limits.memory_bytes <= SPEC_MAX_MEMORY);
	FUZZ_ASSERT(s->limits.pids >= 1 && s->limits.pids <= SPEC_MAX_PIDS);
	FUZZ_ASSERT(s->limits.fds >= 1 && s->limits.fds <= SPEC_MAX_FDS);
	FUZZ_ASSERT(s->limits.timeout_ms >= 1 &&
	            s->limits.timeout_ms <= SPEC_MAX_TIMEOUT_MS);
	for (it = json_object_iter(s->env); it != NULL;
	     it = json_object_iter_next(s->env, it)) {
		FUZZ_ASSERT(mcp_spec_env_name_ok(json_object_iter_key(it)));
		FUZZ_ASSERT(json_is_string(json_object_iter_value(it)));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_spec s;
	struct mcp_err e;
	json_t *doc;
	int rc;

	mcp_err_init(&e);
	doc = mcp_json_load_buf((const char *)data, size, "spec", MCP_ERR_USAGE,
	                        &e);
	if (doc == NULL)
		return 0;
	mcp_spec_init(&s);
	rc = mcp_spec_parse(&s, doc, "spec", &e);
	fuzz_report("spec", rc, e.msg);
	if (rc == 0)
		check(&s);
	else
		FUZZ_ASSERT(e.cat == MCP_ERR_USAGE && e.msg[0] != '\0');
	mcp_spec_release(&s);
	json_decref(doc);
	return 0;
}
