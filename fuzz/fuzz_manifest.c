/*
 * fuzz_manifest.c: the manifest validator and normaliser of mcp-verify
 * (mcp-verify/manifest.c) on the input bytes as a manifest, and its
 * lexical path normaliser on the input bytes as a path.
 *
 * Invariants: a refused manifest is MCP_ERR_VERIFY with a message; an
 * accepted one has a valid package id, a "server" object, and a command
 * and working directory that are relative, normalised paths that never
 * leave the bundle (no "..", no empty or "." component); the same holds
 * for every path mcp_manifest_relpath() returns.
 */
#include <mcp-config.h>

#include <string.h>

#include "doc.h"
#include "fuzz.h"
#include "manifest.h"
#include "ref.h"

static void
check_rel(const char *p, int allow_root)
{
	const char *c, *end;
	size_t n;

	FUZZ_ASSERT(p != NULL && p[0] != '\0' && p[0] != '/');
	if (strcmp(p, ".") == 0) {
		FUZZ_ASSERT(allow_root);
		return;
	}
	for (c = p;; c = end + 1) {
		end = strchr(c, '/');
		n = end != NULL ? (size_t)(end - c) : strlen(c);
		FUZZ_ASSERT(n > 0);
		FUZZ_ASSERT(!(n == 1 && c[0] == '.'));
		FUZZ_ASSERT(!(n == 2 && c[0] == '.' && c[1] == '.'));
		if (end == NULL)
			break;
	}
}

static void
relpaths(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *r;
	const char *why;
	int root, dotdot;

	for (root = 0; root < 2; root++)
		for (dotdot = 0; dotdot < 2; dotdot++) {
			why = NULL;
			r = mcp_manifest_relpath(s, root, dotdot, &why);
			if (r == NULL) {
				FUZZ_ASSERT(why != NULL);
				continue;
			}
			check_rel(r, root);
			free(r);
		}
	free(s);
}

static void
manifest(const json_t *root, const char *arch)
{
	struct mcp_manifest m;
	struct mcp_err e;
	int rc;

	mcp_manifest_init(&m);
	mcp_err_init(&e);
	rc = mcp_manifest_parse(root, "linux", arch, NULL, &m, &e);
	fuzz_report(arch, rc, e.msg);
	if (rc < 0) {
		FUZZ_ASSERT(e.cat == MCP_ERR_VERIFY && e.msg[0] != '\0');
	} else {
		FUZZ_ASSERT(m.package != NULL && mcp_pkgid_valid(m.package));
		FUZZ_ASSERT(m.version != NULL);
		FUZZ_ASSERT(json_is_object(m.server));
		FUZZ_ASSERT(m.workdir != NULL);
		check_rel(m.workdir, 1);
		if (m.command_path != NULL)
			check_rel(m.command_path, 0);
		FUZZ_ASSERT(m.command_path != NULL || m.interpreter != NULL);
	}
	mcp_manifest_release(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_err e;
	json_t *root;

	relpaths(data, size);
	mcp_err_init(&e);
	root = mcp_json_load_buf((const char *)data, size, "manifest",
	                         MCP_ERR_VERIFY, &e);
	if (root == NULL)
		return 0;
	manifest(root, "amd64");
	manifest(root, "arm64");
	json_decref(root);
	return 0;
}
