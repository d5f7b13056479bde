/*
 * spec.h: applying a policy to an mcp.verified/v1 document, giving an
 * mcp.spec/v1 document (granted) or an mcp.denied/v1 one (refused), and the
 * rows of the --explain table.
 *
 * Ownership: struct mcp_eval owns its rows and documents; release it with
 * mcp_eval_release().  An input document that lacks what it must have is
 * MCP_ERR_USAGE (exit 2) in the error record; a refusal is not an error:
 * it is EV->denied with the reasons in EV->reasons.
 */
#ifndef MCP_POLICY_SPEC_H
#define MCP_POLICY_SPEC_H

#include <jansson.h>

#include "err.h"
#include "policy.h"

/* The environment every server starts from (mcp-policy(1)). */
#define MCP_SPEC_PATH "/usr/local/bin:/usr/bin:/bin"
#define MCP_SPEC_LANG "C.UTF-8"
#define MCP_SPEC_HOME "/tmp"
#define MCP_SPEC_UMASK "0077"

enum mcp_outcome {
	MCP_OUT_ALLOW,   /* allowed, nothing to say */
	MCP_OUT_WARN,    /* allowed with a warning */
	MCP_OUT_GRANT,   /* a request granted */
	MCP_OUT_DEFAULT, /* a value from the policy, the manifest silent */
	MCP_OUT_CLAMP,   /* a value lowered to a cap */
	MCP_OUT_DROP,    /* a request not granted and dropped */
	MCP_OUT_DENY,    /* refused */
};

struct mcp_eval_row {
	char *rule;  /* "status", "network", "limits.memory", ... */
	char *input; /* what was judged, as the document gives it */
	enum mcp_outcome outcome;
	char *detail; /* why */
};

struct mcp_eval {
	struct mcp_eval_row *rows;
	size_t nrows;
	int denied;
	json_t *warnings; /* array of strings */
	json_t *dropped;  /* array of {rule, request, message} */
	json_t *reasons;  /* array of {rule, message} */
	json_t *doc;      /* the spec or denied document */
};

void mcp_eval_init(struct mcp_eval *ev);
void mcp_eval_release(struct mcp_eval *ev);

/* The name of an outcome as --explain prints it. */
const char *mcp_outcome_name(enum mcp_outcome o);

/*
 * Judge IN (an mcp.verified/v1 document whose kind was checked; LABEL
 * names it in errors) by P.  With OCI (the absolute path of the bundle
 * directory mcp-policy --oci writes, or NULL), also judge what an OCI
 * bundle cannot express (the "oci" rule) and add the spec's "oci" member.
 * Fills EV; returns -1 only for a malformed input document.
 */
int mcp_spec_build(const struct mcp_policy *p, const json_t *in,
                   const char *label, const char *oci, struct mcp_eval *ev,
                   struct mcp_err *e);

/* Print EV as the --explain table on F (escaped). */
void mcp_explain_print(FILE *f, const struct mcp_policy *p,
                       const struct mcp_eval *ev);

#endif
