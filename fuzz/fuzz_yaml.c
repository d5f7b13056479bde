/*
 * fuzz_yaml.c: the YAML reader of configuration and policy files
 * (common/yaml.c), its typed accessors, and the policy layer parser of
 * mcp-policy (mcp-policy/policy.c) on the loaded tree.
 *
 * Invariants: a refused document leaves an error record; an accepted one
 * is a tree whose every node has a position and whose map keys are unique
 * (mcp_ynode_get finds each key's own value); the accessors never crash on
 * any node; a policy layer that is accepted can be merged with itself
 * (a second layer equal to the first) and then answers requests.
 */
#include <mcp-config.h>

#include <string.h>

#include "fuzz.h"
#include "policy.h"
#include "yaml.h"

static const char *const some_keys[] = {"policy", "audit",  "allow",
                                        "deny",   "limits", NULL};

static void
walk(const struct mcp_ynode *n, unsigned depth)
{
	struct mcp_err e;
	const char *s, **list;
	uint64_t u;
	size_t i, count;
	int b;

	FUZZ_ASSERT(n != NULL && depth <= MCP_YAML_MAX_DEPTH + 1);
	FUZZ_ASSERT(n->line >= 1 && n->col >= 1);
	mcp_err_init(&e);
	switch (n->type) {
	case MCP_YNODE_SCALAR:
		FUZZ_ASSERT(n->scalar != NULL);
		(void)mcp_ynode_str(n, "k", &s, &e);
		(void)mcp_ynode_bool(n, "k", &b, &e);
		if (mcp_ynode_uint(n, "k", 1000, &u, &e) == 0)
			FUZZ_ASSERT(u <= 1000);
		if (mcp_ynode_uint_range(n, "k", 5, 7, &u, &e) == 0)
			FUZZ_ASSERT(u >= 5 && u <= 7);
		break;
	case MCP_YNODE_SEQ:
		if (mcp_ynode_strlist(n, "k", &list, &count, &e) == 0) {
			FUZZ_ASSERT(count == n->n && list[count] == NULL);
			free(list);
		}
		for (i = 0; i < n->n; i++)
			walk(n->items[i], depth + 1);
		break;
	case MCP_YNODE_MAP:
		(void)mcp_ynode_keys(n, "k", some_keys, &e);
		for (i = 0; i < n->n; i++) {
			FUZZ_ASSERT(n->keys[i] != NULL);
			FUZZ_ASSERT(mcp_ynode_get(n, n->keys[i]) ==
			            n->items[i]);
			walk(n->items[i], depth + 1);
		}
		break;
	default:
		FUZZ_ASSERT(0);
	}
}

static void
policy(const struct mcp_ynode *root)
{
	const struct mcp_ynode *sec = mcp_ynode_get(root, "policy");
	struct mcp_policy p;
	struct mcp_err e;
	enum mcp_net_mode mode;
	char why[256];
	int secret, rc;

	if (sec == NULL)
		sec = root;
	mcp_policy_init(&p);
	mcp_err_init(&e);
	rc = mcp_policy_add(&p, "a.yaml", sec, &e);
	if (rc == 0)
		rc = mcp_policy_add(&p, "b.yaml", sec, &e);
	fuzz_report("policy", rc, e.msg);
	if (rc == 0) {
		FUZZ_ASSERT(p.nlayers == 2);
		(void)mcp_policy_package(&p, "examples/echo-c", why,
		                         sizeof(why));
		(void)mcp_policy_origin(&p, "community", why, sizeof(why));
		(void)mcp_policy_registry(&p, "https://r.example/", why,
		                          sizeof(why));
		(void)mcp_policy_env(&p, "API_KEY", &secret, why, sizeof(why));
		(void)mcp_policy_fs(&p, "/tmp/x", MCP_ACCESS_R | MCP_ACCESS_W,
		                    why, sizeof(why));
		(void)mcp_policy_net(&p, "api.example.com:443", &mode, why,
		                     sizeof(why));
		(void)mcp_policy_net_mode(&p);
	} else {
		FUZZ_ASSERT(e.cat != MCP_ERR_NONE);
	}
	mcp_policy_release(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_ydoc *d;
	struct mcp_err e;

	mcp_err_init(&e);
	d = mcp_yaml_load_buf((const char *)data, size, "fuzz.yaml", &e);
	fuzz_report("yaml", d == NULL ? -1 : 0, e.msg);
	if (d == NULL) {
		FUZZ_ASSERT(e.cat != MCP_ERR_NONE && e.msg[0] != '\0');
		return 0;
	}
	if (d->root != NULL) {
		walk(d->root, 0);
		policy(d->root);
	}
	mcp_yaml_free(d);
	return 0;
}
