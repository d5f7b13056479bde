/*
 * append.c: mcp-audit append, and the one function that writes a record.
 *
 * Invariant (DESIGN.md 5): a record reaches the log whole or not at all.
 * It is written with one write() under an exclusive lock on the log after
 * reading the chain's end under that same lock; the records of one lock
 * hold are made durable with one fdatasync before the lock is released
 * (and before append reports success); a write or sync that fails
 * truncates the file back before the lock is released, so no reader or
 * later writer ever sees half a record, nor a record that was reported
 * as not appended.  The lock is held only while input is already
 * at hand, never while waiting for more, so a long-running mcp-exec
 * feeding records through a pipe does not block other writers.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include "audit.h"
#include "doc.h"
#include "xalloc.h"

/* Records written per lock hold: other writers get a turn. */
#define SESSION_MAX 1024

void
mcp_audit_writer_init(struct mcp_audit_writer *w, int use_syslog)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	json_t *probe;

	memset(w, 0, sizeof(*w));
	if (gethostname(w->host, sizeof(w->host) - 1) < 0 || w->host[0] == '\0')
		snprintf(w->host, sizeof(w->host), "localhost");
	/* The real uid: who ran the command, not a set-uid owner. */
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 &&
	    res != NULL && strlen(pw.pw_name) < sizeof(w->user))
		snprintf(w->user, sizeof(w->user), "%s", pw.pw_name);
	/* A name that is not UTF-8 cannot go into JSON: use the number. */
	probe = json_string(w->user);
	if (w->user[0] == '\0' || probe == NULL)
		snprintf(w->user, sizeof(w->user), "%lu",
		         (unsigned long)getuid());
	json_decref(probe);
	probe = json_string(w->host);
	if (probe == NULL)
		snprintf(w->host, sizeof(w->host), "localhost");
	json_decref(probe);
	w->syslog = use_syslog;
	if (use_syslog)
		openlog(PROG, LOG_PID, LOG_AUTHPRIV);
}

int
mcp_audit_commit(int fd, const char *label, struct mcp_audit_tail *t,
                 const struct mcp_audit_tail *t0, struct mcp_err *e)
{
	int saved;

	/* Data, not metadata: the size is data for fdatasync. */
	if (fdatasync(fd) == 0)
		return 0;
	saved = errno;
	if (ftruncate(fd, t0->size) < 0 || fdatasync(fd) < 0) {
		errno = saved;
		return mcp_err_sys(e, MCP_ERR_RUNTIME,
		                   "%s: cannot sync records %lld to %lld, and "
		                   "cannot truncate them away",
		                   label, t0->seq + 1, t->seq);
	}
	errno = saved;
	mcp_err_sys(e, MCP_ERR_RUNTIME,
	            "%s: cannot sync records %lld to %lld (log left as it was)",
	            label, t0->seq + 1, t->seq);
	*t = *t0;
	return -1;
}

int
mcp_audit_write_record(int fd, const char *label,
                       const struct mcp_audit_writer *w,
                       struct mcp_audit_tail *t, const json_t *record,
                       struct abuf *line, struct mcp_err *e)
{
	char now[32], hash[MCP_AUDIT_HASH_MAX];
	ssize_t n;
	int saved;

	if (t->seq >= MCP_AUDIT_INT_MAX)
		return mcp_err_set(e, MCP_ERR_RUNTIME, "%s: sequence exhausted",
		                   label);
	mcp_now_rfc3339(now);
	if (mcp_audit_line_build(line, t->seq + 1, now, w->host, w->user,
	                         t->hash, record, hash, e) < 0)
		return -1;
	/* O_APPEND: the kernel puts it at the end we read under the lock. */
	do
		n = write(fd, line->p, line->len);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n < line->len) {
		/* Short: try the rest once, which tells us why (ENOSPC,
		 * EFBIG, EDQUOT) or finishes the record. */
		ssize_t m = write(fd, line->p + n, line->len - (size_t)n);

		if (m >= 0 && (size_t)m == line->len - (size_t)n)
			n = (ssize_t)line->len;
		else if (m >= 0)
			errno = ENOSPC;
	}
	if (n != (ssize_t)line->len)
		goto undo;
	t->seq++;
	t->size += (off_t)line->len;
	snprintf(t->hash, sizeof(t->hash), "%s", hash);
	if (w->syslog)
		syslog(LOG_AUTHPRIV | LOG_INFO, "%.*s", (int)(line->len - 1),
		       line->p);
	return 0;
undo:
	saved = errno;
	if (ftruncate(fd, t->size) < 0 || fdatasync(fd) < 0) {
		errno = saved;
		return mcp_err_sys(e, MCP_ERR_RUNTIME,
		                   "%s: cannot append record %lld, and cannot "
		                   "truncate the partial record away",
		                   label, t->seq + 1);
	}
	errno = saved;
	return mcp_err_sys(e, MCP_ERR_RUNTIME,
	                   "%s: cannot append record %lld (log left as it was)",
	                   label, t->seq + 1);
}

/* Report the bad line held in PENDING (if any) and keep the new one: the
 * last is returned to main, so N bad lines are N lines on stderr. */
static void
bad_line(struct mcp_err *pending, int *nbad, const struct mcp_err *now)
{
	if (*nbad > 0)
		mcp_err_print(PROG, pending);
	*pending = *now;
	(*nbad)++;
}

/* Parse and check one input line; a new redacted record or NULL. */
static json_t *
take_record(struct mcp_redact *red, const char *label, unsigned long lineno,
            const char *p, size_t n, struct mcp_err *e)
{
	json_error_t je;
	json_t *doc, *secrets, *s, *rec;
	const char *kind, *name;
	size_t i, nconv = 0;

	if (n == 0) {
		mcp_err_set(e, MCP_ERR_USAGE, "%s:%lu: empty line", label,
		            lineno);
		return NULL;
	}
	doc = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		/* jansson quotes the input ("near '...'"), where a secret,
		 * or a prefix of one, may stand: the column is enough. */
		char *msg = mcp_redact_text(red, je.text), *near;

		near = strstr(msg, " near '");
		if (near != NULL)
			*near = '\0';

		mcp_err_set(e, MCP_ERR_USAGE, "%s:%lu:%d: %s", label, lineno,
		            je.column, msg);
		mcp_free_secret(msg);
		return NULL;
	}
	kind = json_string_value(json_object_get(doc, "kind"));
	if (!json_is_object(doc) || kind == NULL ||
	    strncmp(kind, "mcp.", 4) != 0) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "%s:%lu: not an mcp document (an object with a "
		            "\"kind\" starting \"mcp.\")",
		            label, lineno);
		json_decref(doc);
		return NULL;
	}
	/* Only mcp-audit writes its own records (rotation markers). */
	if (strncmp(kind, "mcp.audit/", 10) == 0) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "%s:%lu: kind %s is reserved for mcp-audit itself",
		            label, lineno, MCP_KIND_AUDIT);
		json_decref(doc);
		return NULL;
	}
	/* A spec names its secrets: they are redacted from here on. */
	secrets = mcp_doc_get(doc, "process.secrets");
	for (i = 0; json_is_array(secrets) && i < json_array_size(secrets);
	     i++) {
		s = json_array_get(secrets, i);
		name = json_string_value(json_object_get(s, "name"));
		if (name != NULL && mcp_redact_add_env(red, name))
			WARN("secret %s is shorter than 4 bytes; redacting "
			     "it will mangle records",
			     name);
	}
	rec = mcp_redact_copy(red, doc, &nconv);
	json_decref(doc);
	if (nconv > 0)
		WARN("%s:%lu: %zu number(s) stored as strings (only integers "
		     "within +-(2^53-1) are kept as numbers)",
		     label, lineno, nconv);
	return rec;
}

/*
 * --secrets-from FILE: one mcp.spec/v1 document (mcp-run hands over the
 * spec mcp-exec runs, through /dev/fd/N); each process.secrets[].name is
 * redacted as if named by --secret.  Read whole before any record, so the
 * records before the spec's own line in the input are covered as well.
 */
static int
secrets_from(struct mcp_redact *red, const char *path, struct mcp_err *e)
{
	static const char *const kinds[] = {MCP_KIND_SPEC, NULL};
	json_t *doc, *secrets, *s;
	const char *name;
	size_t i;
	int rc = -1;

	doc = mcp_doc_read(path, kinds, e);
	if (doc == NULL) {
		/* A parse error may quote the text it choked on, and the
		 * file may not be a spec at all: cut known secrets out. */
		char *msg = mcp_redact_text(red, e->msg);

		snprintf(e->msg, sizeof(e->msg), "--secrets-from: %s", msg);
		mcp_free_secret(msg);
		return -1;
	}
	secrets = mcp_doc_get(doc, "process.secrets");
	if (secrets != NULL && !json_is_array(secrets)) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "--secrets-from: %s: process.secrets is not a list",
		            path);
		goto out;
	}
	for (i = 0; i < json_array_size(secrets); i++) {
		s = json_array_get(secrets, i);
		name = json_string_value(json_object_get(s, "name"));
		if (name == NULL || name[0] == '\0') {
			mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "--secrets-from: %s: process.secrets[%zu] has "
			    "no name",
			    path, i);
			goto out;
		}
		if (mcp_redact_add_env(red, name))
			WARN("secret %s is shorter than 4 bytes; redacting "
			     "it will mangle records",
			     name);
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

/* End a lock hold: move the anchor, then let others in. */
/* Commit the lock hold's records (T0: the chain end when it began),
 * update the anchor, unlock.  -1 with E when the records are not
 * durable (and were truncated away). */
static int
session_end(int *fd, const char *log, struct mcp_audit_tail *t,
            const struct mcp_audit_tail *t0, struct mcp_err *e)
{
	struct mcp_err he;
	int rc = 0;

	if (*fd < 0)
		return 0;
	mcp_err_init(&he);
	if (t->seq > t0->seq) {
		if (mcp_audit_commit(*fd, log, t, t0, e) < 0)
			rc = -1;
		/* The records are durable; a stale anchor only makes
		 * verify check less, so this is a warning. */
		else if (mcp_audit_head_write(log, t->hash, &he) < 0)
			WARN("anchor not updated: %s", he.msg);
	}
	flock(*fd, LOCK_UN);
	close(*fd);
	*fd = -1;
	return rc;
}

int
mcp_audit_cmd_append(const struct mcp_audit_opts *o, const char *log,
                     struct mcp_err *e)
{
	struct mcp_audit_writer w;
	struct mcp_audit_tail t, t0;
	struct mcp_redact red;
	struct mcp_err bad, ce;
	struct lreader in;
	struct abuf line = {0};
	const char *label = "<stdin>", *p, **keys;
	json_t *rec;
	unsigned long written = 0;
	size_t i, n, session = 0;
	int infd = STDIN_FILENO, fd = -1, nbad = 0, r, rc = -1;

	mcp_err_init(&bad);
	/* --redact-key and the configuration's audit.redact both apply. */
	keys = xcalloc(o->nredact + o->ncfg_redact + 1, sizeof(*keys));
	for (i = 0; i < o->nredact; i++)
		keys[i] = o->redact_keys[i];
	for (i = 0; i < o->ncfg_redact; i++)
		keys[o->nredact + i] = o->cfg_redact[i];
	mcp_redact_init(&red, keys, o->nredact + o->ncfg_redact);
	for (i = 0; i < o->nsecrets; i++)
		if (mcp_redact_add_env(&red, o->secrets[i]))
			WARN("secret %s is shorter than 4 bytes; redacting "
			     "it will mangle records",
			     o->secrets[i]);
	for (i = 0; i < o->nsecrets_from; i++)
		if (secrets_from(&red, o->secrets_from[i], e) < 0) {
			mcp_redact_release(&red);
			free(keys);
			return -1;
		}
	if (o->input != NULL && strcmp(o->input, "-") != 0) {
		label = o->input;
		infd = open(o->input, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (infd < 0) {
			mcp_err_sys(e, MCP_ERR_USAGE, "%s", o->input);
			mcp_redact_release(&red);
			free(keys);
			return -1;
		}
	}
	mcp_audit_writer_init(&w, o->syslog);
	lreader_init(&in, infd, MCP_DOC_MAX);
	for (;;) {
		if (fd >= 0 &&
		    (!lreader_ready(&in) || session >= SESSION_MAX)) {
			if (session_end(&fd, log, &t, &t0, e) < 0)
				goto out;
			session = 0;
		}
		r = lreader_next(&in, &p, &n);
		if (r == LR_ERR) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: read", label);
			goto out;
		}
		if (r == LR_EOF && n == 0)
			break;
		if (r == LR_TOOLONG) {
			struct mcp_err le;

			mcp_err_set(&le, MCP_ERR_USAGE,
			            "%s:%lu: longer than %u bytes", label,
			            in.lineno, MCP_DOC_MAX);
			bad_line(&bad, &nbad, &le);
			continue;
		}
		rec = take_record(&red, label,
		                  in.lineno + (r == LR_EOF ? 1 : 0), p, n, e);
		if (rec == NULL) {
			bad_line(&bad, &nbad, e);
			mcp_err_init(e);
			if (r == LR_EOF)
				break;
			continue;
		}
		/* Lock late: only once a record is ready to be written. */
		if (fd < 0) {
			fd = mcp_audit_log_open_locked(log, MCP_AUDIT_WRITE,
			                               LOCK_EX, e);
			if (fd < 0 || mcp_audit_tail_read(fd, log, &t, e) < 0) {
				json_decref(rec);
				goto out;
			}
			t0 = t;
		}
		if (mcp_audit_write_record(fd, log, &w, &t, rec, &line, e) <
		    0) {
			json_decref(rec);
			goto out;
		}
		json_decref(rec);
		written++;
		session++;
		if (r == LR_EOF)
			break;
	}
	if (session_end(&fd, log, &t, &t0, e) < 0)
		goto out;
	if (o->verbose)
		fprintf(stderr, "%s: %lu record(s) appended to %s\n", PROG,
		        written, log);
	if (nbad > 0) {
		*e = bad;
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && nbad > 0 && e->cat != MCP_ERR_USAGE)
		mcp_err_print(PROG, &bad); /* then main prints E */
	/* What was written whole before the failure is kept, durably. */
	mcp_err_init(&ce);
	if (fd >= 0 && session_end(&fd, log, &t, &t0, &ce) < 0)
		mcp_err_print(PROG, &ce);
	lreader_release(&in);
	if (infd != STDIN_FILENO)
		close(infd);
	abuf_release(&line);
	mcp_redact_release(&red);
	free(keys);
	return rc;
}
