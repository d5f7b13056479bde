/*
 * yaml.c: configuration and policy YAML, read with libyaml's event parser
 * into a small tree where every node remembers its FILE:LINE:COL.
 *
 * Invariant: a file either loads into a tree that means exactly what it
 * shows, or is refused.  Anchors and aliases (and so "billion laughs"
 * alias bombs), tags, several documents, duplicate keys (where "last one
 * wins" lets a reviewer and the tool read different policies), non-scalar
 * keys, NUL bytes in scalars, deep nesting and oversized files are all
 * errors, never silently resolved.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libyaml.h> /* libyaml's <yaml.h>; see libyaml.h for why */

#include "io.h"
#include "xalloc.h"
#include "yaml.h"

/* One open collection while parsing. */
struct frame {
	struct mcp_ynode *node;
	struct mcp_ynode *key; /* MAP: key waiting for its value, owned */
};

struct builder {
	struct mcp_ydoc *doc;
	struct frame stack[MCP_YAML_MAX_DEPTH];
	size_t depth;
	unsigned ndocs;
	const char *buf; /* for positions of reader errors */
	size_t len;
};

static void
node_free(struct mcp_ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		node_free(n->items[i]);
		if (n->keynodes != NULL)
			node_free(n->keynodes[i]); /* keys[i] points into it */
	}
	free(n->items);
	free(n->keys);
	free(n->keynodes);
	free(n->scalar);
	free(n);
}

void
mcp_yaml_free(struct mcp_ydoc *d)
{
	if (d == NULL)
		return;
	node_free(d->root);
	free(d->file);
	free(d);
}

static struct mcp_ynode *
node_new(struct builder *b, enum mcp_ynode_type type, const yaml_mark_t *m)
{
	struct mcp_ynode *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->file = b->doc->file;
	/* libyaml marks are 0-based; people count from 1. */
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

static int pos_err(struct builder *b, const yaml_mark_t *m, struct mcp_err *e,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
pos_err(struct builder *b, const yaml_mark_t *m, struct mcp_err *e,
        const char *fmt, ...)
{
	char msg[MCP_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mcp_err_set(e, MCP_ERR_USAGE, "%s:%lu:%lu: %s", b->doc->file,
	                   (unsigned long)m->line + 1,
	                   (unsigned long)m->column + 1, msg);
}

/* Append child C (with key node K for a map) to collection P. */
static void
node_append(struct mcp_ynode *p, struct mcp_ynode *k, struct mcp_ynode *c)
{
	/* Arrays of pointers: NOLINTBEGIN(bugprone-sizeof-expression) */
	p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
	if (p->type == MCP_YNODE_MAP) {
		p->keys = xrealloc(p->keys, (p->n + 1) * sizeof(*p->keys));
		p->keynodes =
		    xrealloc(p->keynodes, (p->n + 1) * sizeof(*p->keynodes));
		/* NOLINTEND(bugprone-sizeof-expression) */
		p->keys[p->n] = k->scalar;
		p->keynodes[p->n] = k;
	}
	p->items[p->n++] = c;
}

/*
 * Place a finished or newly opened node N where the parser is: the root,
 * the next element of a sequence, or a key or value of a map.  Takes N.
 */
static int
place(struct builder *b, struct mcp_ynode *n, const yaml_mark_t *m,
      struct mcp_err *e)
{
	struct frame *f;
	size_t i;

	if (b->depth == 0) {
		b->doc->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->type == MCP_YNODE_SEQ) {
		node_append(f->node, NULL, n);
		return 0;
	}
	if (f->key == NULL) {
		if (n->type != MCP_YNODE_SCALAR) {
			node_free(n);
			return pos_err(b, m, e, "keys must be scalars");
		}
		for (i = 0; i < f->node->n; i++)
			if (strcmp(f->node->keys[i], n->scalar) == 0) {
				pos_err(b, m, e, "duplicate key \"%.200s\"",
				        n->scalar);
				node_free(n);
				return -1;
			}
		f->key = n;
		return 0;
	}
	node_append(f->node, f->key, n);
	f->key = NULL;
	return 0;
}

static int
check_props(struct builder *b, const yaml_char_t *anchor,
            const yaml_char_t *tag, const yaml_mark_t *m, struct mcp_err *e)
{
	if (anchor != NULL)
		return pos_err(b, m, e, "anchors and aliases are not allowed");
	if (tag != NULL)
		return pos_err(b, m, e, "tags are not allowed");
	return 0;
}

static int
on_event(struct builder *b, const yaml_event_t *ev, struct mcp_err *e)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct mcp_ynode *n;

	switch (ev->type) {
	case YAML_NO_EVENT:
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
	case YAML_DOCUMENT_END_EVENT:
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1)
			return pos_err(b, m, e, "more than one document");
		if (ev->data.document_start.tag_directives.start !=
		    ev->data.document_start.tag_directives.end)
			return pos_err(b, m, e, "tags are not allowed");
		return 0;
	case YAML_ALIAS_EVENT:
		return pos_err(b, m, e, "anchors and aliases are not allowed");
	case YAML_SCALAR_EVENT:
		if (check_props(b, ev->data.scalar.anchor, ev->data.scalar.tag,
		                m, e) < 0)
			return -1;
		/* "\0" in a quoted scalar would cut the C string short and
		 * make two different keys or values compare equal. */
		if (memchr(ev->data.scalar.value, '\0',
		           ev->data.scalar.length) != NULL)
			return pos_err(b, m, e, "NUL character in a scalar");
		n = node_new(b, MCP_YNODE_SCALAR, m);
		n->scalar = xstrndup((const char *)ev->data.scalar.value,
		                     ev->data.scalar.length);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return place(b, n, m, e);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_SEQUENCE_START_EVENT
		        ? check_props(b, ev->data.sequence_start.anchor,
		                      ev->data.sequence_start.tag, m, e) < 0
		        : check_props(b, ev->data.mapping_start.anchor,
		                      ev->data.mapping_start.tag, m, e) < 0)
			return -1;
		if (b->depth >= MCP_YAML_MAX_DEPTH)
			return pos_err(b, m, e, "nesting deeper than %d levels",
			               MCP_YAML_MAX_DEPTH);
		n = node_new(b,
		             ev->type == YAML_SEQUENCE_START_EVENT
		                 ? MCP_YNODE_SEQ
		                 : MCP_YNODE_MAP,
		             m);
		if (place(b, n, m, e) < 0)
			return -1;
		b->stack[b->depth].node = n;
		b->stack[b->depth].key = NULL;
		b->depth++;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		return 0;
	}
	return 0;
}

/* Line and column (1-based) of byte OFFSET, for reader errors, which
 * libyaml reports by offset only. */
static void
offset_pos(const char *buf, size_t len, size_t off, unsigned long *line,
           unsigned long *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			(*col)++; /* count characters, not bytes */
		}
	}
}

static int
parser_err(struct builder *b, const yaml_parser_t *p, struct mcp_err *e)
{
	unsigned long line, col;
	const char *problem = p->problem ? p->problem : "syntax error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		mcp_oom();
	case YAML_READER_ERROR:
		offset_pos(b->buf, b->len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "%s:%lu:%lu: %s (byte 0x%02x)",
			                   b->doc->file, line, col, problem,
			                   (unsigned)p->problem_value & 0xff);
		return mcp_err_set(e, MCP_ERR_USAGE, "%s:%lu:%lu: %s",
		                   b->doc->file, line, col, problem);
	default:
		line = (unsigned long)p->problem_mark.line + 1;
		col = (unsigned long)p->problem_mark.column + 1;
		if (p->context != NULL)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "%s:%lu:%lu: %s (%s at line %lu column %lu)",
			    b->doc->file, line, col, problem, p->context,
			    (unsigned long)p->context_mark.line + 1,
			    (unsigned long)p->context_mark.column + 1);
		return mcp_err_set(e, MCP_ERR_USAGE, "%s:%lu:%lu: %s",
		                   b->doc->file, line, col, problem);
	}
}

struct mcp_ydoc *
mcp_yaml_load_buf(const char *buf, size_t len, const char *label,
                  struct mcp_err *e)
{
	struct builder b;
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;
	size_t i;

	memset(&b, 0, sizeof(b));
	b.doc = xcalloc(1, sizeof(*b.doc));
	b.doc->file = xstrdup(label);
	b.buf = buf;
	b.len = len;
	if (len > MCP_YAML_MAX) {
		mcp_err_set(e, MCP_ERR_USAGE, "%s: larger than %d bytes", label,
		            MCP_YAML_MAX);
		mcp_yaml_free(b.doc);
		return NULL;
	}
	if (!yaml_parser_initialize(&parser))
		mcp_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	/* UTF-8 only: no guessing UTF-16 from a BOM. */
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_err(&b, &parser, e);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&b, &ev, e);
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&parser);
	/* Keys still waiting for a value belong to no node yet. */
	for (i = 0; i < b.depth; i++)
		node_free(b.stack[i].key);
	if (rc < 0) {
		mcp_yaml_free(b.doc);
		return NULL;
	}
	return b.doc;
}

struct mcp_ydoc *
mcp_yaml_load(const char *path, struct mcp_err *e)
{
	struct mcp_ydoc *d;
	char *buf = NULL;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		/* sys_errno tells the caller whether the file just is not
		 * there (an optional config file) or could not be read. */
		mcp_err_sys(e, MCP_ERR_USAGE, "%s", path);
		return NULL;
	}
	if (mcp_read_all(fd, MCP_YAML_MAX, &buf, &len) < 0) {
		if (errno == EFBIG)
			mcp_err_set(e, MCP_ERR_USAGE,
			            "%s: larger than %d bytes", path,
			            MCP_YAML_MAX);
		else
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: read", path);
		close(fd);
		return NULL;
	}
	close(fd);
	d = mcp_yaml_load_buf(buf, len, path, e);
	free(buf);
	return d;
}

const struct mcp_ynode *
mcp_ynode_get(const struct mcp_ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->type != MCP_YNODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

int
mcp_ynode_err(const struct mcp_ynode *n, struct mcp_err *e, enum mcp_errcat cat,
              const char *fmt, ...)
{
	char msg[MCP_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n == NULL)
		return mcp_err_set(e, cat, "%s", msg);
	return mcp_err_set(e, cat, "%s:%u:%u: %s", n->file ? n->file : "?",
	                   n->line, n->col, msg);
}

int
mcp_ynode_keys(const struct mcp_ynode *map, const char *what,
               const char *const *allowed, struct mcp_err *e)
{
	size_t i, j;

	if (map == NULL)
		return 0; /* an absent section has no unknown keys */
	if (map->type != MCP_YNODE_MAP)
		return mcp_ynode_err(map, e, MCP_ERR_USAGE,
		                     "%s: must be a mapping", what);
	for (i = 0; i < map->n; i++) {
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(map->keys[i], allowed[j]) == 0)
				break;
		if (allowed[j] == NULL)
			return mcp_ynode_err(map->keynodes[i], e, MCP_ERR_USAGE,
			                     "%s: unknown key \"%.200s\"", what,
			                     map->keys[i]);
	}
	return 0;
}

/* A plain empty, "~" or "null" scalar: YAML's null, not a string. */
static int
is_null(const struct mcp_ynode *n)
{
	return n->type == MCP_YNODE_SCALAR && n->plain &&
	       (n->scalar[0] == '\0' || strcmp(n->scalar, "~") == 0 ||
	        strcmp(n->scalar, "null") == 0 ||
	        strcmp(n->scalar, "Null") == 0 ||
	        strcmp(n->scalar, "NULL") == 0);
}

int
mcp_ynode_str(const struct mcp_ynode *n, const char *key, const char **out,
              struct mcp_err *e)
{
	if (n == NULL || n->type != MCP_YNODE_SCALAR || is_null(n))
		return mcp_ynode_err(n, e, MCP_ERR_USAGE,
		                     "%s: must be a string", key);
	*out = n->scalar;
	return 0;
}

int
mcp_ynode_bool(const struct mcp_ynode *n, const char *key, int *out,
               struct mcp_err *e)
{
	/* Only plain true/false: YAML 1.1's yes/no/on/off (the "Norway
	 * problem") and quoted "true" would mean different things to
	 * different readers. */
	if (n != NULL && n->type == MCP_YNODE_SCALAR && n->plain) {
		if (strcmp(n->scalar, "true") == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(n->scalar, "false") == 0) {
			*out = 0;
			return 0;
		}
	}
	return mcp_ynode_err(n, e, MCP_ERR_USAGE, "%s: must be true or false",
	                     key);
}

int
mcp_ynode_uint_range(const struct mcp_ynode *n, const char *key, uint64_t min,
                     uint64_t max, uint64_t *out, struct mcp_err *e)
{
	const char *p;
	uint64_t v = 0;
	unsigned d;

	/* Plain decimal digits only: no sign, no 0x/0o, no leading zero
	 * (YAML 1.1 reads 010 as 8), no quotes, nothing that wraps. */
	if (n == NULL || n->type != MCP_YNODE_SCALAR || !n->plain ||
	    n->scalar[0] == '\0' ||
	    (n->scalar[0] == '0' && n->scalar[1] != '\0'))
		goto bad;
	for (p = n->scalar; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		d = (unsigned)(*p - '0');
		if (v > max / 10 || (v == max / 10 && d > max % 10))
			goto bad;
		v = v * 10 + d;
	}
	if (v < min)
		goto bad;
	*out = v;
	return 0;
bad:
	return mcp_ynode_err(
	    n, e, MCP_ERR_USAGE, "%s: must be an integer between %llu and %llu",
	    key, (unsigned long long)min, (unsigned long long)max);
}

int
mcp_ynode_uint(const struct mcp_ynode *n, const char *key, uint64_t max,
               uint64_t *out, struct mcp_err *e)
{
	return mcp_ynode_uint_range(n, key, 0, max, out, e);
}

int
mcp_ynode_strlist(const struct mcp_ynode *n, const char *key, const char ***out,
                  size_t *count, struct mcp_err *e)
{
	const char **v;
	size_t i;

	if (n == NULL || n->type != MCP_YNODE_SEQ)
		return mcp_ynode_err(n, e, MCP_ERR_USAGE,
		                     "%s: must be a list of strings", key);
	v = xcalloc(n->n + 1, sizeof(*v)); /* NULL-terminated as a bonus */
	for (i = 0; i < n->n; i++) {
		const struct mcp_ynode *it = n->items[i];

		if (it->type != MCP_YNODE_SCALAR || is_null(it)) {
			free(v);
			return mcp_ynode_err(it, e, MCP_ERR_USAGE,
			                     "%s[%zu]: must be a string", key,
			                     i);
		}
		v[i] = it->scalar;
	}
	*out = v;
	*count = n->n;
	return 0;
}
