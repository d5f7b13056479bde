/*
 * doc.c: reading, checking and writing the JSON documents that pass
 * between stages.
 *
 * Invariant: a document is used only after it parsed strictly (no
 * duplicate keys, whose "last one wins" would let two readers see two
 * different documents; no trailing data; no \u0000, which would cut C
 * strings short; no BOM; bounded size) and its kind matched what the stage
 * expects.  A document is written once, whole, and a failed write is an
 * error, so stdout holds a complete document or nothing usable.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "doc.h"
#include "io.h"
#include "xalloc.h"

json_t *
mcp_json_load_buf(const char *buf, size_t len, const char *label,
                  enum mcp_errcat cat, struct mcp_err *e)
{
	json_error_t je;
	json_t *j;

	/*
	 * jansson would report a BOM as an "invalid token"; say what it is.
	 * RFC 8259 forbids emitting one and lets parsers refuse it.
	 */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		mcp_err_set(e, cat, "%s: byte order mark (BOM) is not allowed",
		            label);
		return NULL;
	}
	/* No JSON_DISABLE_EOF_CHECK: trailing data is an error.  No
	 * JSON_ALLOW_NUL: "\u0000" is an error. */
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		if (je.line > 0)
			mcp_err_set(e, cat, "%s:%d:%d: %s", label, je.line,
			            je.column, je.text);
		else
			mcp_err_set(e, cat, "%s: %s", label, je.text);
		return NULL;
	}
	return j;
}

json_t *
mcp_json_load_fd(int fd, const char *label, size_t max, enum mcp_errcat cat,
                 struct mcp_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	json_t *j;

	/* The cap is enforced while reading, not after: a huge input is
	 * never held in memory. */
	if (mcp_read_all(fd, max, &buf, &len) < 0) {
		if (errno == EFBIG)
			mcp_err_set(e, cat, "%s: larger than %zu bytes", label,
			            max);
		else
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: read", label);
		return NULL;
	}
	j = mcp_json_load_buf(buf, len, label, cat, e);
	free(buf);
	return j;
}

json_t *
mcp_json_load_path(const char *path, size_t max, enum mcp_errcat cat,
                   struct mcp_err *e)
{
	json_t *j;
	int fd;

	if (strcmp(path, "-") == 0)
		return mcp_json_load_fd(STDIN_FILENO, "<stdin>", max, cat, e);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		/* A file named on the command line that cannot be opened is
		 * the caller's mistake (exit 2), whatever its contents
		 * would have been judged by. */
		mcp_err_sys(e, MCP_ERR_USAGE, "%s", path);
		return NULL;
	}
	j = mcp_json_load_fd(fd, path, max, cat, e);
	close(fd);
	return j;
}

/* Length of the "mcp.<stage>/v" prefix of KIND, or 0 if KIND is not
 * of the form "mcp.<stage>/v<digits>". */
static size_t
kind_stage_len(const char *kind)
{
	const char *slash, *p;

	if (strncmp(kind, "mcp.", 4) != 0)
		return 0;
	slash = strchr(kind, '/');
	if (slash == NULL || slash == kind + 4 || slash[1] != 'v' ||
	    slash[2] == '\0')
		return 0;
	for (p = slash + 2; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return (size_t)(slash + 2 - kind);
}

int
mcp_doc_check_kind(const json_t *doc, const char *label,
                   const char *const *kinds, struct mcp_err *e)
{
	const char *kind;
	char want[256];
	size_t i, n, wl;

	if (!json_is_object(doc) ||
	    (kind = json_string_value(json_object_get(doc, "kind"))) == NULL)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: not an mcp document (no \"kind\")",
		                   label);
	for (i = 0; kinds[i] != NULL; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 0;

	/* Same stage, other major version: say so rather than "expected". */
	n = kind_stage_len(kind);
	for (i = 0; n > 0 && kinds[i] != NULL; i++) {
		if (kind_stage_len(kinds[i]) == n &&
		    strncmp(kind, kinds[i], n) == 0)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "%s: unsupported document version "
			                   "%.64s (this tool reads v%s)",
			                   label, kind, kinds[i] + n);
	}

	want[0] = '\0';
	for (i = 0; kinds[i] != NULL; i++) {
		wl = strlen(want);
		snprintf(want + wl, sizeof(want) - wl, "%s%s",
		         i == 0 ? "" : (kinds[i + 1] == NULL ? " or " : ", "),
		         kinds[i]);
	}
	return mcp_err_set(e, MCP_ERR_USAGE,
	                   "%s: expected %s document, got %.64s", label, want,
	                   kind);
}

json_t *
mcp_doc_read(const char *path, const char *const *kinds, struct mcp_err *e)
{
	const char *label = strcmp(path, "-") == 0 ? "<stdin>" : path;
	json_t *j;

	/* A document that is not valid JSON is a bad input: exit 2. */
	j = mcp_json_load_path(path, MCP_DOC_MAX, MCP_ERR_USAGE, e);
	if (j == NULL)
		return NULL;
	if (mcp_doc_check_kind(j, label, kinds, e) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *
mcp_doc_new(const char *kind)
{
	json_t *j = json_object();

	if (j == NULL ||
	    json_object_set_new(j, "kind", json_string(kind)) < 0) {
		json_decref(j);
		mcp_oom(); /* jansson fails here only for lack of memory */
	}
	return j;
}

int
mcp_doc_write(FILE *f, const json_t *doc, struct mcp_err *e)
{
	const char *what =
	    f == stdout ? "write to stdout failed" : "write failed";

	/* Insertion order, not JSON_SORT_KEYS: "kind" stays first, for
	 * people reading a document with their eyes. */
	errno = 0;
	if (json_dumpf(doc, f, JSON_COMPACT) < 0 || fputc('\n', f) == EOF ||
	    fflush(f) == EOF || ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", what);
	}
	return 0;
}

json_t *
mcp_doc_get(const json_t *doc, const char *dotted)
{
	const json_t *cur = doc;
	const char *p = dotted, *dot;
	char key[256];
	size_t n;

	while (cur != NULL) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key) || !json_is_object(cur))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		cur = json_object_get(cur, key);
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	return (json_t *)cur;
}

const char *
mcp_doc_str(const json_t *doc, const char *dotted)
{
	return json_string_value(mcp_doc_get(doc, dotted));
}

const char *
mcp_doc_need_str(const json_t *doc, const char *dotted, const char *label,
                 enum mcp_errcat cat, struct mcp_err *e)
{
	const json_t *v = mcp_doc_get(doc, dotted);

	if (v == NULL) {
		mcp_err_set(e, cat, "%s: missing \"%s\"", label, dotted);
		return NULL;
	}
	if (!json_is_string(v)) {
		mcp_err_set(e, cat, "%s: %s: must be a string", label, dotted);
		return NULL;
	}
	return json_string_value(v);
}

void
mcp_now_rfc3339(char buf[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}
