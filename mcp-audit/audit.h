/*
 * audit.h: the pieces of mcp-audit shared between its sub-commands.
 *
 * Ownership: functions returning char * or json_t * return new objects the
 * caller frees; "borrowed" says otherwise.  Errors: -1/NULL with the
 * struct mcp_err filled, as in common/; a tampered or malformed log line is
 * MCP_ERR_VERIFY (exit 4).
 */
#ifndef MCP_AUDIT_H
#define MCP_AUDIT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"

#define PROG "mcp-audit"

/* -q: warnings are dropped, errors still printed. */
extern int mcp_audit_quiet;
#define WARN(...)                                                              \
	do {                                                                   \
		if (!mcp_audit_quiet)                                          \
			mcp_warn(PROG, __VA_ARGS__);                           \
	} while (0)

/* The kind of the records mcp-audit writes itself (rotation). */
#define MCP_KIND_AUDIT "mcp.audit/v1"

/* "sha256:" + 64 hex + NUL, rounded up. */
#define MCP_AUDIT_HASH_MAX 72
#define MCP_AUDIT_GENESIS                                                      \
	"sha256:"                                                              \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* A log line holds one record (at most MCP_DOC_MAX) plus the envelope. */
#define MCP_AUDIT_LINE_MAX (16u * 1024 * 1024 + 64 * 1024)

/* Largest integer jq 1.6 (which holds numbers as doubles) prints exactly. */
#define MCP_AUDIT_INT_MAX 9007199254740991LL

/* The command line, parsed once by main. */
struct mcp_audit_opts {
	int verbose, quiet;
	char *configs[MCP_CONFIG_MAX_FILES];
	size_t nconfigs;
	const char *log_flag;
	int syslog;
	const char *secrets[64];
	size_t nsecrets;
	const char *redact_keys[64];
	size_t nredact;
	/* append: files whose process.secrets[].name are redacted too */
	const char *secrets_from[16];
	size_t nsecrets_from;
	/* From the configuration (mcp-config(5)), set by main: audit.redact
	 * (borrowed from the loaded config) on top of --redact-key, and
	 * audit.syslog, which --syslog can only turn on. */
	const char *const *cfg_redact;
	size_t ncfg_redact;
	const char *expect_head;
	int series, no_anchor;
	const char *since, *until, *package, *outcome, *kind;
	int json, follow;
	const char *input; /* append: FILE or "-" */
};

/* A growable byte buffer (never NULL after the first put). */
struct abuf {
	char *p;
	size_t len, cap;
};

void abuf_put(struct abuf *b, const void *p, size_t n);
void abuf_putc(struct abuf *b, char c);
void abuf_puts(struct abuf *b, const char *s);
void abuf_release(struct abuf *b);

/* chain.c ------------------------------------------------------------- */

/* Append the canonical serialisation of V (mcp-audit(1), CANONICAL FORM)
 * to B.  A number outside the canonical range is an error of category
 * MCP_ERR_VERIFY. */
int mcp_audit_canon(struct abuf *b, const json_t *v, struct mcp_err *e);

/* "sha256:" + hex of the SHA-256 of P[0..N). */
void mcp_audit_sha256(const void *p, size_t n, char out[MCP_AUDIT_HASH_MAX]);

/* The envelope of one log line. */
struct mcp_audit_entry {
	long long seq;
	char prev[MCP_AUDIT_HASH_MAX];
	char hash[MCP_AUDIT_HASH_MAX];
	json_t *line; /* the parsed line, owned; NULL when not kept */
};

/*
 * Build the log line for RECORD (borrowed) into LINE (reset first): the
 * canonical serialisation of {host, prev, record, seq, time, user} with
 * ,"hash":"sha256:..." added before the closing brace, and a newline.
 * HASH receives the hash.
 */
int mcp_audit_line_build(struct abuf *line, long long seq, const char *time,
                         const char *host, const char *user, const char *prev,
                         const json_t *record, char hash[MCP_AUDIT_HASH_MAX],
                         struct mcp_err *e);

/*
 * Check one log line P[0..N) (no newline): strict JSON, exactly the seven
 * members with the right types, written in canonical form, and its hash
 * recomputed.  Fills ENT (ENT->line is kept when KEEP).  SCRATCH is reused
 * between calls.  Errors are MCP_ERR_VERIFY without a location prefix.
 */
int mcp_audit_line_check(const char *p, size_t n, struct abuf *scratch,
                         int keep, struct mcp_audit_entry *ent,
                         struct mcp_err *e);

/*
 * The same check in one pass over the bytes, for lines that are exactly
 * canonical: 0 and ENT filled (ENT->line NULL), or -1 without a reason,
 * in which case mcp_audit_line_check() decides and explains.
 */
int mcp_audit_line_fast(const char *p, size_t n, struct abuf *scratch,
                        struct mcp_audit_entry *ent);

/* logfile.c ----------------------------------------------------------- */

/* The log path: --log, else $MCP_AUDIT_LOG / config audit.log (C, loaded
 * by main), else /var/log/mcp/audit.log for root, else
 * $XDG_STATE_HOME/mcp/audit.log. */
char *mcp_audit_log_path(const struct mcp_audit_opts *o,
                         const struct mcp_config *c, struct mcp_err *e);

/* PATH + ".head": the anchor file. */
char *mcp_audit_head_path(const char *log);

enum { MCP_AUDIT_RDONLY = 0, MCP_AUDIT_WRITE = 1 };

/*
 * Open the log (WRITE: read-write, append, created 0600 in a 0700
 * directory) refusing a symbolic link or anything but a regular file, then
 * take flock(OP) on it.  If the path was renamed away (rotation) while we
 * waited for the lock, the new file is opened instead.  Returns the fd.
 */
int mcp_audit_log_open_locked(const char *path, int mode, int op,
                              struct mcp_err *e);

/* Open PATH read-only without following a final symlink (regular file). */
int mcp_audit_open_ro(const char *path, struct mcp_err *e);

/* The chain's end: the last line's seq and hash (0 and the genesis for an
 * empty log), and the file's size. */
struct mcp_audit_tail {
	long long seq;
	char hash[MCP_AUDIT_HASH_MAX];
	off_t size;
};

/* Read the last line of FD by seeking back from the end.  A last line that
 * is incomplete or does not check is MCP_ERR_VERIFY. */
int mcp_audit_tail_read(int fd, const char *label, struct mcp_audit_tail *t,
                        struct mcp_err *e);

/* Replace LOG.head atomically with HASH + "\n". */
int mcp_audit_head_write(const char *log, const char *hash, struct mcp_err *e);

/* Read LOG.head: 1 and HASH filled, 0 if there is none, -1 on error. */
int mcp_audit_head_read(const char *log, char hash[MCP_AUDIT_HASH_MAX],
                        struct mcp_err *e);

/* fsync the directory holding PATH (after a rename or create). */
int mcp_audit_sync_dir(const char *path, struct mcp_err *e);

/* A line reader over an fd that never holds more than MAX bytes of one
 * line and can tell whether a whole line is already buffered. */
struct lreader {
	int fd;
	char *buf;
	size_t cap, start, end, max;
	int eof;
	unsigned long lineno; /* of the line last returned */
};

enum { LR_LINE = 1, LR_EOF = 0, LR_TOOLONG = 2, LR_ERR = -1 };

void lreader_init(struct lreader *r, int fd, size_t max);
void lreader_release(struct lreader *r);
/* 1 if a complete line is buffered (no read needed). */
int lreader_ready(const struct lreader *r);
/*
 * Next line (without its newline) in *P, *N: LR_LINE; LR_EOF at the end,
 * with any unterminated rest left in *P, *N (length 0 if none); LR_TOOLONG
 * for a line over MAX (skipped up to its newline); LR_ERR with errno.
 */
int lreader_next(struct lreader *r, const char **p, size_t *n);
/* After LR_EOF: forget the EOF so a later call reads again (follow). */
void lreader_rearm(struct lreader *r);

/* redact.c ------------------------------------------------------------ */

struct mcp_redact {
	char **values; /* secret values, owned, wiped on release */
	size_t nvalues;
	char **names; /* names already looked up */
	size_t nnames;
	const char *const *keys; /* key globs (borrowed) */
	size_t nkeys;
	size_t short_warned;
};

void mcp_redact_init(struct mcp_redact *r, const char *const *keys,
                     size_t nkeys);
void mcp_redact_release(struct mcp_redact *r);
/* Add the value of environment variable NAME (if set and non-empty).
 * Returns 1 if the value is shorter than 4 bytes (caller warns). */
int mcp_redact_add_env(struct mcp_redact *r, const char *name);
/* A copy of V with secrets and sensitive keys redacted and every number
 * outside the canonical range turned into a string.  *NCONV counts the
 * numbers converted. */
json_t *mcp_redact_copy(const struct mcp_redact *r, const json_t *v,
                        size_t *nconv);
/* A copy of text S (an error message) with the secret values replaced. */
char *mcp_redact_text(const struct mcp_redact *r, const char *s);
/* 1 if KEY matches one of the sensitive-key globs. */
int mcp_redact_key_match(const struct mcp_redact *r, const char *key);

/* append.c / rotate.c / verify.c / query.c ----------------------------- */

/* One writer's identity, the same for every line it writes. */
struct mcp_audit_writer {
	char host[256];
	char user[64];
	int syslog;
};

void mcp_audit_writer_init(struct mcp_audit_writer *w, int use_syslog);

/*
 * Append RECORD to the log open on FD (locked LOCK_EX by the caller) after
 * the chain end T, which is advanced.  One write(); a failed or short
 * write truncates the file back to T->size and syncs it (so the records
 * before it are durable).  Not durable until mcp_audit_commit().
 */
int mcp_audit_write_record(int fd, const char *label,
                           const struct mcp_audit_writer *w,
                           struct mcp_audit_tail *t, const json_t *record,
                           struct abuf *line, struct mcp_err *e);

/*
 * Make the records written since the chain end T0 durable (one
 * fdatasync for the lot, still under the caller's lock).  When that
 * fails, the file is truncated back to T0->size, T is set back to T0,
 * and -1 is returned with E: none of them was appended.
 */
int mcp_audit_commit(int fd, const char *label, struct mcp_audit_tail *t,
                     const struct mcp_audit_tail *t0, struct mcp_err *e);

/* The number the next rotated file gets (LOG.N), 0 on error. */
unsigned long mcp_audit_series_next(const char *log, struct mcp_err *e);

int mcp_audit_cmd_append(const struct mcp_audit_opts *o, const char *log,
                         struct mcp_err *e);
int mcp_audit_cmd_verify(const struct mcp_audit_opts *o, const char *log,
                         struct mcp_err *e);
int mcp_audit_cmd_show(const struct mcp_audit_opts *o, const char *log,
                       struct mcp_err *e);
int mcp_audit_cmd_rotate(const struct mcp_audit_opts *o, const char *log,
                         struct mcp_err *e);

#endif
