/*
 * yaml.h: human-written YAML (configuration and policy) read with libyaml
 * into a small tree that remembers where each node came from, so every
 * error can name FILE:LINE:COLUMN and the key.
 *
 * Refused, because a policy file must mean exactly what it shows: anchors
 * and aliases (and so alias bombs), tags, more than one document, duplicate
 * keys, non-scalar keys, files over the size cap, and nesting deeper than
 * MCP_YAML_MAX_DEPTH.  Tabs used as indentation are refused by libyaml.
 */
#ifndef MCP_YAML_H
#define MCP_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MCP_YAML_MAX (1024 * 1024)
#define MCP_YAML_MAX_DEPTH 32

enum mcp_ynode_type { MCP_YNODE_SCALAR, MCP_YNODE_SEQ, MCP_YNODE_MAP };

struct mcp_ynode {
	enum mcp_ynode_type type;
	const char *file;          /* borrowed from the owning mcp_ydoc */
	unsigned line, col;        /* 1-based position of the node */
	char *scalar;              /* SCALAR: the value (NUL-terminated) */
	int plain;                 /* SCALAR: 1 if unquoted (so `null`, `yes` are words) */
	struct mcp_ynode **items;  /* SEQ: elements; MAP: values */
	char **keys;               /* MAP: keys, parallel to items */
	struct mcp_ynode **keynodes; /* MAP: key nodes (positions), parallel */
	size_t n;
};

struct mcp_ydoc {
	char *file;                /* path as given */
	struct mcp_ynode *root;    /* NULL for an empty document */
};

/* Load PATH.  Errors are MCP_ERR_USAGE, "FILE:LINE:COL: message".  When
 * PATH cannot be opened, E->sys_errno holds open(2)'s errno. */
struct mcp_ydoc *mcp_yaml_load(const char *path, struct mcp_err *e);
/* Same from memory (LABEL names it in errors). */
struct mcp_ydoc *mcp_yaml_load_buf(const char *buf, size_t len,
				   const char *label, struct mcp_err *e);
void mcp_yaml_free(struct mcp_ydoc *d);

/* Borrowed value of KEY in MAP, or NULL (also when MAP is not a map). */
const struct mcp_ynode *mcp_ynode_get(const struct mcp_ynode *map,
				      const char *key);

/*
 * Check that MAP is a mapping whose keys are all in ALLOWED (NULL
 * terminated).  WHAT names the section ("policy") in the message:
 * "FILE:LINE:COL: policy: unknown key \"foo\"".
 */
int mcp_ynode_keys(const struct mcp_ynode *map, const char *what,
		   const char *const *allowed, struct mcp_err *e);

/*
 * Typed accessors: N must be a scalar of the right shape; errors name
 * "FILE:LINE:COL: KEY: must be ...".  KEY is the dotted key for messages.
 */
int mcp_ynode_str(const struct mcp_ynode *n, const char *key,
		  const char **out, struct mcp_err *e);
int mcp_ynode_bool(const struct mcp_ynode *n, const char *key, int *out,
		   struct mcp_err *e);
int mcp_ynode_uint(const struct mcp_ynode *n, const char *key, uint64_t max,
		   uint64_t *out, struct mcp_err *e);
/* As mcp_ynode_uint with a lower bound too ("must be an integer between
 * MIN and MAX"). */
int mcp_ynode_uint_range(const struct mcp_ynode *n, const char *key,
			 uint64_t min, uint64_t max, uint64_t *out,
			 struct mcp_err *e);
/* A sequence of strings; *OUT borrowed pointers into the tree (freed with
 * free(*out), not the strings), also NULL-terminated. */
int mcp_ynode_strlist(const struct mcp_ynode *n, const char *key,
		      const char ***out, size_t *count, struct mcp_err *e);

/* Record "FILE:LINE:COL: " + message for node N (returns -1). */
int mcp_ynode_err(const struct mcp_ynode *n, struct mcp_err *e,
		  enum mcp_errcat cat, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
