/*
 * verify.c: mcp-audit verify, and the series of rotated files.
 *
 * Invariant: every line is judged on its own (JSON, canonical form, its
 * own hash) and against its predecessor (seq + 1, prev = the previous
 * line's stored hash), and every bad line is reported with its number
 * before the command fails (STYLE.md: a scan reports every bad item).
 * Linking to the previous *stored* hash keeps one edited line from being
 * reported again at every line after it.  A truncated tail leaves a valid
 * chain; only a head hash kept elsewhere (--expect-head) or the anchor
 * file can show it, which is why verify prints the head for pinning.
 */
#include <mcp-config.h>

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include "audit.h"
#include "digest.h"
#include "xalloc.h"

struct walk {
	const struct mcp_audit_opts *o;
	struct abuf scratch;
	unsigned long problems, records;
	long long first_seq, exp_seq; /* exp_seq 0: next line starts */
	char last[MCP_AUDIT_HASH_MAX];
	int linked;  /* last holds a hash to link to */
	int started; /* the chain's first line has been seen */
	const char *expect;
	int found_expect;
	char anchor[MCP_AUDIT_HASH_MAX];
	int have_anchor, found_anchor;
	unsigned long anchor_behind; /* records after the anchor's line */
};

static void
problem(struct walk *w, const char *file, unsigned long lineno, const char *fmt,
        const char *detail)
{
	struct mcp_err e;

	mcp_err_set(&e, MCP_ERR_VERIFY, "%s:%lu: %s%s", file, lineno, fmt,
	            detail ? detail : "");
	mcp_err_print(PROG, &e);
	w->problems++;
}

static int
is_rotate(const json_t *line)
{
	const json_t *rec = json_object_get(line, "record");
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *ev = json_string_value(json_object_get(rec, "event"));

	return kind && ev && strcmp(kind, MCP_KIND_AUDIT) == 0 &&
	       strcmp(ev, "rotate") == 0;
}

/* The links of one line that passed its own check. */
static void
check_links(struct walk *w, const char *file, unsigned long lineno,
            const struct mcp_audit_entry *ent)
{
	char msg[512];
	size_t len = 0;

	msg[0] = '\0';
	/* The first line anchors the chain: genesis, or a rotation. */
	if (!w->started) {
		w->started = 1;
		w->first_seq = ent->seq;
		if (ent->seq == 1 && strcmp(ent->prev, MCP_AUDIT_GENESIS) == 0)
			return;
		/* A log that starts at a rotation continues an older file;
		 * alone it is checked from there, --series checks the link. */
		if (!w->o->series && ent->seq > 1 && is_rotate(ent->line)) {
			if (w->o->verbose)
				fprintf(
				    stderr,
				    "%s: %s: continues a rotated file at seq "
				    "%lld (--series checks the link)\n",
				    PROG, file, ent->seq);
			return;
		}
		problem(w, file, lineno,
		        "the chain does not start here (not seq 1 after the "
		        "genesis hash): lines deleted from the start?",
		        NULL);
		return;
	}
	if (w->exp_seq != 0 && ent->seq != w->exp_seq)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len,
		                        "seq %lld, expected %lld", ent->seq,
		                        w->exp_seq);
	if (w->linked && strcmp(ent->prev, w->last) != 0)
		snprintf(msg + len, sizeof(msg) - len,
		         "%sprev does not match the hash of the line before",
		         len ? "; " : "");
	if (msg[0] != '\0') {
		char full[640];

		snprintf(full, sizeof(full),
		         "%s (line deleted, inserted or reordered)", msg);
		problem(w, file, lineno, full, NULL);
	}
}

static int
walk_file(struct walk *w, const char *file, int last_file, struct mcp_err *e)
{
	struct mcp_audit_entry ent;
	struct mcp_err le;
	struct lreader r;
	const char *p;
	size_t n;
	int fd, rc;

	/* Shared lock: no append is half-way while we read. */
	fd = mcp_audit_log_open_locked(file, MCP_AUDIT_RDONLY, LOCK_SH, e);
	if (fd < 0)
		return -1;
	lreader_init(&r, fd, MCP_AUDIT_LINE_MAX);
	for (;;) {
		rc = lreader_next(&r, &p, &n);
		if (rc == LR_ERR) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: read", file);
			goto fail;
		}
		if (rc == LR_EOF) {
			if (n > 0)
				problem(
				    w, file, r.lineno + 1,
				    "incomplete last line (interrupted write "
				    "or truncation)",
				    NULL);
			break;
		}
		if (rc == LR_TOOLONG) {
			problem(w, file, r.lineno, "line too long", NULL);
			w->linked = 0;
			w->exp_seq = 0;
			continue;
		}
		w->records++;
		mcp_err_init(&le);
		/* The first line is parsed whole: it may be a rotate record. */
		if (w->started &&
		    mcp_audit_line_fast(p, n, &w->scratch, &ent) == 0)
			goto checked;
		if (mcp_audit_line_check(p, n, &w->scratch, 1, &ent, &le) < 0) {
			problem(w, file, r.lineno, le.msg, NULL);
			/* Hash and canonical failures still know the line's
			 * envelope: link the next line to what it claims. */
			if (strncmp(le.msg, "hash mismatch", 13) == 0 ||
			    strncmp(le.msg, "not in canonical", 16) == 0) {
				/* The position, not the claimed seq, which may
				 * be the edited byte. */
				w->started = 1;
				w->exp_seq =
				    w->exp_seq ? w->exp_seq + 1 : ent.seq + 1;
				snprintf(w->last, sizeof(w->last), "%s",
				         ent.hash);
				w->linked = 1;
				continue;
			}
			w->started = 1;
			w->exp_seq = 0;
			w->linked = 0;
			continue;
		}
	checked:
		check_links(w, file, r.lineno, &ent);
		w->exp_seq = ent.seq + 1;
		snprintf(w->last, sizeof(w->last), "%s", ent.hash);
		w->linked = 1;
		w->started = 1;
		if (w->expect && strcmp(ent.hash, w->expect) == 0)
			w->found_expect = 1;
		if (last_file && w->have_anchor) {
			if (strcmp(ent.hash, w->anchor) == 0) {
				w->found_anchor = 1;
				w->anchor_behind = 0;
			} else if (w->found_anchor) {
				w->anchor_behind++;
			}
		}
		json_decref(ent.line);
	}
	lreader_release(&r);
	close(fd);
	return 0;
fail:
	lreader_release(&r);
	close(fd);
	return -1;
}

static int
num_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
	              y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* LOG.1, LOG.2, ... present next to LOG, in numeric order. */
static unsigned long *
series_numbers(const char *log, size_t *count, struct mcp_err *e)
{
	char *c1 = xstrdup(log), *c2 = xstrdup(log);
	const char *dir = dirname(c1), *base = basename(c2);
	size_t bl = strlen(base), n = 0, cap = 0;
	unsigned long *v = NULL, x;
	struct dirent *de;
	const char *s;
	char *end;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, base, bl) != 0 || de->d_name[bl] != '.')
			continue;
		s = de->d_name + bl + 1;
		if (*s < '1' || *s > '9')
			continue;
		errno = 0;
		x = strtoul(s, &end, 10);
		if (*end != '\0' || errno != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = x;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), num_cmp);
	if (v == NULL)
		v = xmalloc(sizeof(*v));
out:
	*count = n;
	free(c1);
	free(c2);
	return v;
}

/* The number the next rotation gets: one more than the highest. */
unsigned long
mcp_audit_series_next(const char *log, struct mcp_err *e)
{
	size_t n;
	unsigned long *v = series_numbers(log, &n, e), next;

	if (v == NULL)
		return 0;
	next = n > 0 ? v[n - 1] + 1 : 1;
	free(v);
	return next;
}

int
mcp_audit_cmd_verify(const struct mcp_audit_opts *o, const char *log,
                     struct mcp_err *e)
{
	struct walk w;
	unsigned long *nums = NULL;
	size_t i, count = 0;
	char *file;
	int rc = -1, hr, hold = -1;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.expect = o->expect_head;
	if (w.expect && !mcp_digest_valid_sha256(w.expect))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "option --expect-head: \"%s\" is not a sha256 "
		    "digest (sha256: and 64 lowercase hex digits)",
		    w.expect);
	/*
	 * A shared lock on LOG for the whole walk: no rotation can move the
	 * files or the anchor under us, and no append is half-way.  The
	 * anchor is read under it, so it belongs to the file we check.
	 */
	hold = mcp_audit_log_open_locked(log, MCP_AUDIT_RDONLY, LOCK_SH, e);
	if (hold < 0)
		return -1;
	if (!o->no_anchor) {
		hr = mcp_audit_head_read(log, w.anchor, e);
		if (hr < 0) {
			if (e->cat != MCP_ERR_VERIFY)
				goto out;
			mcp_err_print(PROG, e);
			mcp_err_init(e);
			w.problems++;
		}
		w.have_anchor = hr == 1;
	}
	if (o->series) {
		nums = series_numbers(log, &count, e);
		if (nums == NULL)
			goto out;
		for (i = 0; i < count; i++) {
			file = xasprintf("%s.%lu", log, nums[i]);
			hr = walk_file(&w, file, 0, e);
			free(file);
			if (hr < 0)
				goto out;
		}
	}
	if (walk_file(&w, log, 1, e) < 0)
		goto out;

	if (w.have_anchor && !w.found_anchor) {
		char *head = mcp_audit_head_path(log);

		mcp_err_set(e, MCP_ERR_VERIFY,
		            "%s: head %s is not in the log (log truncated or "
		            "rewritten)",
		            head, w.anchor);
		mcp_err_print(PROG, e);
		mcp_err_init(e);
		free(head);
		w.problems++;
	} else if (w.have_anchor && w.anchor_behind > 0) {
		WARN("%s.head is %lu record(s) behind the log "
		     "(an append was interrupted?)",
		     log, w.anchor_behind);
	}
	if (w.expect && !w.found_expect) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "%s: expected head %s not found (log truncated or "
		            "rewritten)",
		            log, w.expect);
		mcp_err_print(PROG, e);
		mcp_err_init(e);
		w.problems++;
	}
	if (w.problems > 0) {
		if (o->syslog) {
			openlog(PROG, LOG_PID, LOG_AUTHPRIV);
			syslog(LOG_AUTHPRIV | LOG_ALERT,
			       "%s: audit log does not verify: %lu problem(s)",
			       log, w.problems);
		}
		mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "%s: does not verify: %lu problem(s) in %lu line(s)", log,
		    w.problems, w.records);
		goto out;
	}
	if (o->verbose)
		fprintf(stderr, "%s: %s: %lu record(s) verified\n", PROG, log,
		        w.records);
	printf("%s\n", w.linked ? w.last : MCP_AUDIT_GENESIS);
	rc = 0;
out:
	if (hold >= 0)
		close(hold);
	free(nums);
	abuf_release(&w.scratch);
	return rc;
}
