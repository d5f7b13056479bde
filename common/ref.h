/*
 * ref.h: package references (ORG/NAME@REF) and semantic versions.
 *
 * The grammar is FORMATS.md's, strict: anything else is refused before any
 * network or cache access.  Parsing never allocates.
 */
#ifndef MCP_REF_H
#define MCP_REF_H

#include <stddef.h>

#include "err.h"

#define MCP_NAME_MAX 64      /* ORG and NAME */
#define MCP_VERSION_MAX 128  /* semver string */

enum mcp_ref_kind {
	MCP_REF_LATEST,
	MCP_REF_VERSION, /* semver 2.0.0 */
	MCP_REF_GITSHA,  /* 40 lowercase hex */
	MCP_REF_DIGEST,  /* sha256: + 64 lowercase hex */
};

struct mcp_ref {
	char org[MCP_NAME_MAX + 1];
	char name[MCP_NAME_MAX + 1];
	char pkg[2 * MCP_NAME_MAX + 2];    /* "ORG/NAME" */
	char ref[MCP_VERSION_MAX + 1];     /* the part after '@' */
	enum mcp_ref_kind kind;
};

/* Parse S into R.  A malformed reference is MCP_ERR_USAGE with a reason. */
int mcp_ref_parse(struct mcp_ref *r, const char *s, struct mcp_err *e);

/* "ORG/NAME@REF" into BUF; returns BUF. */
char *mcp_ref_format(const struct mcp_ref *r, char *buf, size_t n);

/* 1 if S is a valid ORG or NAME part. */
int mcp_name_valid(const char *s);

/* 1 if S is "ORG/NAME" with both parts valid. */
int mcp_pkgid_valid(const char *s);

/* 1 if S is a 40-hex-digit lowercase git commit id. */
int mcp_gitsha_valid(const char *s);

/* 1 if S is a semver 2.0.0 version of at most MCP_VERSION_MAX bytes. */
int mcp_semver_valid(const char *s);

/* 1 if the (valid) version S has a pre-release part. */
int mcp_semver_is_prerelease(const char *s);

/* Compare two valid versions by semver precedence (build metadata ignored):
 * <0, 0, >0. */
int mcp_semver_cmp(const char *a, const char *b);

/* The ref kind's name: "latest", "version", "git_sha", "digest". */
const char *mcp_ref_kind_name(enum mcp_ref_kind k);

#endif
