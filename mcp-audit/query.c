/*
 * query.c: mcp-audit show, a filtered view of the log, optionally
 * following it like tail -f.
 *
 * Invariant: show never trusts the log's text with the terminal: the
 * table escapes every field (a hostile package name cannot emit control
 * sequences); --json prints lines as stored, which JSON already escapes.
 * show does not verify the chain; verify does.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "units.h"
#include "xalloc.h"

/* Poll interval while following; bounded, so a stop signal is seen. */
#define FOLLOW_POLL_NS (200 * 1000 * 1000L)

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/*
 * RFC 3339 ("2026-11-23T06:08:51.123Z", "+02:00" offsets), a date alone
 * (midnight UTC), or a time without zone (UTC), into milliseconds since the
 * epoch.
 */
static int
parse_rfc3339(const char *s, long long *ms)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, oh, om, sign;
	long long off = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (digits(&s, 4, &y) < 0 || *s++ != '-' || digits(&s, 2, &mo) < 0 ||
	    *s++ != '-' || digits(&s, 2, &d) < 0)
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) < 0 || *s++ != ':' ||
		    digits(&s, 2, &mi) < 0)
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &sec) < 0)
				return -1;
			if (*s == '.') {
				int scale = 100, n = 0;

				for (s++; *s >= '0' && *s <= '9'; s++, n++) {
					frac += (*s - '0') * scale;
					scale /= 10;
				}
				if (n == 0)
					return -1;
			}
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '+' ? 1 : -1;
			if (digits(&s, 2, &oh) < 0 || *s++ != ':' ||
			    digits(&s, 2, &om) < 0 || oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 3600LL + om * 60LL);
		}
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*ms = ((long long)t - off) * 1000 + frac;
	return 0;
}

/* --since/--until: RFC 3339, a date, or a duration ago ("2h", "30m"). */
static int
parse_when(const char *opt, const char *s, long long *ms, struct mcp_err *e)
{
	struct timespec now;
	uint64_t ago;

	if (parse_rfc3339(s, ms) == 0)
		return 0;
	if (mcp_duration_parse(s, &ago) == 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		*ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 -
		      (long long)ago;
		return 0;
	}
	return mcp_err_set(e, MCP_ERR_USAGE,
	                   "option --%s: \"%s\" is neither an RFC 3339 time, a "
	                   "date (YYYY-MM-DD) nor a duration (1h30m)",
	                   opt, s);
}

struct filter {
	const struct mcp_audit_opts *o;
	int has_since, has_until;
	long long since, until;
	unsigned long shown;
};

/* The record's outcome: an exec end's outcome, "denied" for a denial. */
static const char *
outcome_of(const json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *out = json_string_value(json_object_get(rec, "outcome"));

	if (out != NULL)
		return out;
	if (kind != NULL && strncmp(kind, "mcp.denied/", 11) == 0)
		return "denied";
	return NULL;
}

static int
kind_match(const char *want, const char *kind)
{
	char full[128];

	if (kind == NULL)
		return 0;
	if (fnmatch(want, kind, 0) == 0)
		return 1;
	/* "exec" is short for mcp.exec/v1. */
	snprintf(full, sizeof(full), "mcp.%s/v1", want);
	return strcmp(full, kind) == 0;
}

static int
matches(const struct filter *f, const json_t *line)
{
	const json_t *rec = json_object_get(line, "record");
	const char *time = json_string_value(json_object_get(line, "time"));
	const char *pkg, *out;
	long long t;

	if (f->has_since || f->has_until) {
		if (time == NULL || parse_rfc3339(time, &t) < 0)
			return 0;
		if (f->has_since && t < f->since)
			return 0;
		if (f->has_until && t > f->until)
			return 0;
	}
	if (f->o->package != NULL) {
		pkg = json_string_value(json_object_get(rec, "package"));
		if (pkg == NULL || fnmatch(f->o->package, pkg, 0) != 0)
			return 0;
	}
	if (f->o->outcome != NULL) {
		out = outcome_of(rec);
		if (out == NULL || strcmp(out, f->o->outcome) != 0)
			return 0;
	}
	if (f->o->kind != NULL &&
	    !kind_match(f->o->kind,
	                json_string_value(json_object_get(rec, "kind"))))
		return 0;
	return 1;
}

/* Field for the table, escaped; "-" when absent. */
static const char *
esc(char *buf, size_t n, const char *s)
{
	return mcp_escape(buf, n, s ? s : "-");
}

static void
print_row(const json_t *line)
{
	const json_t *rec = json_object_get(line, "record"), *x;
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *ev = json_string_value(json_object_get(rec, "event"));
	const char *pkg = json_string_value(json_object_get(rec, "package"));
	const char *ver = json_string_value(json_object_get(rec, "version"));
	const char *out = outcome_of(rec);
	char k[96], what[160], pv[300], o[96], b1[256], b2[256], tb[64];
	const char *slash;
	size_t kl;

	/* "mcp.exec/v1" + "end" -> "exec/end". */
	if (kind != NULL && strncmp(kind, "mcp.", 4) == 0) {
		slash = strchr(kind + 4, '/');
		kl = slash ? (size_t)(slash - kind - 4) : strlen(kind + 4);
		snprintf(k, sizeof(k), "%.*s", (int)(kl < 60 ? kl : 60),
		         kind + 4);
	} else {
		snprintf(k, sizeof(k), "%.60s", kind ? kind : "-");
	}
	snprintf(what, sizeof(what), "%s%s%.60s", k, ev ? "/" : "",
	         ev ? ev : "");
	if (pkg != NULL)
		snprintf(pv, sizeof(pv), "%.140s@%.140s", pkg, ver ? ver : "?");
	else
		snprintf(pv, sizeof(pv), "-");
	snprintf(o, sizeof(o), "%.40s", out ? out : "-");
	x = json_object_get(rec, "exit_code");
	if (json_is_integer(x))
		snprintf(o + strlen(o), sizeof(o) - strlen(o), " (exit %lld)",
		         (long long)json_integer_value(x));
	x = json_object_get(rec, "signal");
	if (json_is_integer(x))
		snprintf(o + strlen(o), sizeof(o) - strlen(o), " (signal %lld)",
		         (long long)json_integer_value(x));
	x = json_object_get(line, "seq");
	printf("%8lld  %-24s  %-16s  %-36s  %s\n",
	       (long long)json_integer_value(x),
	       esc(tb, sizeof(tb),
	           json_string_value(json_object_get(line, "time"))),
	       esc(b1, sizeof(b1), what), esc(b2, sizeof(b2), pv), o);
}

/* Show every complete line available on R; returns -1 on read error. */
static int
drain(struct filter *f, struct lreader *r, const char *log, struct mcp_err *e)
{
	const char *p;
	size_t n;
	json_t *line;
	int rc;

	for (;;) {
		rc = lreader_next(r, &p, &n);
		if (rc == LR_ERR)
			return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: read", log);
		if (rc == LR_EOF)
			return 0; /* a partial line waits for its end */
		if (rc == LR_TOOLONG) {
			WARN("%s:%lu: line too long; skipped", log, r->lineno);
			continue;
		}
		line = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(line)) {
			WARN("%s:%lu: not a log line; skipped", log, r->lineno);
			json_decref(line);
			continue;
		}
		if (matches(f, line)) {
			if (f->o->json)
				printf("%.*s\n", (int)n, p);
			else
				print_row(line);
			f->shown++;
		}
		json_decref(line);
	}
}

int
mcp_audit_cmd_show(const struct mcp_audit_opts *o, const char *log,
                   struct mcp_err *e)
{
	struct filter f;
	struct lreader r;
	struct stat fst, pst;
	struct sigaction sa;
	struct timespec ts;
	int fd, rc = -1;

	memset(&f, 0, sizeof(f));
	f.o = o;
	if (o->since && parse_when("since", o->since, &f.since, e) < 0)
		return -1;
	if (o->until && parse_when("until", o->until, &f.until, e) < 0)
		return -1;
	f.has_since = o->since != NULL;
	f.has_until = o->until != NULL;
	fd = mcp_audit_open_ro(log, e);
	if (fd < 0)
		return -1;
	lreader_init(&r, fd, MCP_AUDIT_LINE_MAX);
	if (!o->json)
		printf("%8s  %-24s  %-16s  %-36s  %s\n", "SEQ", "TIME",
		       "KIND/EVENT", "PACKAGE@VERSION", "OUTCOME");
	if (drain(&f, &r, log, e) < 0)
		goto out;
	/* Follow by polling: it works on every file system (inotify does
	 * not on NFS) and a rotation is just an inode change at the path. */
	if (o->follow) {
		/* No SA_RESTART: the signal cuts the sleep short. */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	while (o->follow && !stop) {
		if (fflush(stdout) == EOF) {
			mcp_err_sys(e, MCP_ERR_RUNTIME,
			            "write to stdout failed");
			goto out;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = FOLLOW_POLL_NS;
		nanosleep(&ts, NULL);
		if (stop)
			break;
		lreader_rearm(&r);
		if (drain(&f, &r, log, e) < 0)
			goto out;
		/* Rotated: finish the old file (done above), then go on
		 * with the new one from its first line. */
		if (fstat(fd, &fst) == 0 && lstat(log, &pst) == 0 &&
		    (fst.st_dev != pst.st_dev || fst.st_ino != pst.st_ino)) {
			int nfd = mcp_audit_open_ro(log, e);

			if (nfd < 0)
				goto out;
			lreader_release(&r);
			close(fd);
			fd = nfd;
			lreader_init(&r, fd, MCP_AUDIT_LINE_MAX);
			if (drain(&f, &r, log, e) < 0)
				goto out;
		}
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "write to stdout failed");
		goto out;
	}
	if (o->verbose)
		fprintf(stderr, "%s: %lu record(s) shown\n", PROG, f.shown);
	rc = 0;
out:
	lreader_release(&r);
	close(fd);
	return rc;
}
