/*
 * fuzz_doc.c: the strict JSON reader of stage documents and the kind check
 * (common/doc.c).
 *
 * Invariants: a refused buffer leaves an error record and no document; an
 * accepted one is an object or array of valid UTF-8 (jansson's guarantee)
 * that serialises and parses back to an equal value; the kind check
 * accepts only a kind in the list.
 */
#include <mcp-config.h>

#include <string.h>

#include "doc.h"
#include "fuzz.h"

static const char *const kinds[] = {MCP_KIND_FETCH, MCP_KIND_VERIFIED, NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_err e;
	json_t *doc, *back;
	const char *kind;
	char *text;

	mcp_err_init(&e);
	doc = mcp_json_load_buf((const char *)data, size, "fuzz", MCP_ERR_USAGE,
	                        &e);
	if (doc == NULL) {
		FUZZ_ASSERT(e.cat == MCP_ERR_USAGE && e.msg[0] != '\0');
		return 0;
	}
	text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
	FUZZ_ASSERT(text != NULL);
	mcp_err_init(&e);
	back =
	    mcp_json_load_buf(text, strlen(text), "again", MCP_ERR_USAGE, &e);
	FUZZ_ASSERT(back != NULL && json_equal(doc, back));
	json_decref(back);
	free(text);

	mcp_err_init(&e);
	if (mcp_doc_check_kind(doc, "fuzz", kinds, &e) == 0) {
		kind = mcp_doc_str(doc, "kind");
		FUZZ_ASSERT(kind != NULL && (strcmp(kind, kinds[0]) == 0 ||
		                             strcmp(kind, kinds[1]) == 0));
	} else {
		FUZZ_ASSERT(e.cat != MCP_ERR_NONE);
	}
	/* The dotted-path accessors on whatever came in. */
	(void)mcp_doc_str(doc, "bundle.digest");
	(void)mcp_doc_get(doc, "server.entrypoint.argv");
	mcp_err_init(&e);
	(void)mcp_doc_need_str(doc, "manifest.path", "fuzz", MCP_ERR_USAGE, &e);
	json_decref(doc);
	return 0;
}
