/*
 * err.h: one error record per operation, and the exit-code table.
 *
 * Functions in common/ never print and never exit: they fill a struct
 * mcp_err and return -1 (or NULL).  Only a tool's main() prints, once, with
 * mcp_err_print(), which escapes the whole message so that no control byte
 * or invalid UTF-8 from untrusted input reaches the terminal.
 */
#ifndef MCP_ERR_H
#define MCP_ERR_H

#include <stdio.h>

/* Exit codes shared by every stage (DESIGN.md, mcp-tools(7)). */
#define MCP_EXIT_OK 0
#define MCP_EXIT_RUNTIME 1
#define MCP_EXIT_USAGE 2
#define MCP_EXIT_DENIED 3
#define MCP_EXIT_VERIFY 4
#define MCP_EXIT_FETCH 5
#define MCP_EXIT_TIMEOUT 124
#define MCP_EXIT_SETUP 125
#define MCP_EXIT_NOEXEC 126
#define MCP_EXIT_NOTFOUND 127

/* Error categories; mcp_err_exit() maps each to exactly one exit code. */
enum mcp_errcat {
	MCP_ERR_NONE = 0,
	MCP_ERR_RUNTIME,  /* 1: I/O, out of resources, anything else */
	MCP_ERR_USAGE,    /* 2: command line, malformed ref, bad input document */
	MCP_ERR_DENIED,   /* 3: policy refused */
	MCP_ERR_VERIFY,   /* 4: digest, unsafe archive, invalid manifest */
	MCP_ERR_FETCH,    /* 5: network, HTTP, not found */
	MCP_ERR_TIMEOUT,  /* 124 */
	MCP_ERR_SETUP,    /* 125: sandbox set-up failed */
	MCP_ERR_NOEXEC,   /* 126: entrypoint not executable */
	MCP_ERR_NOTFOUND, /* 127: entrypoint not found */
};

#define MCP_ERR_MSG_MAX 1024

struct mcp_err {
	enum mcp_errcat cat;
	int sys_errno;               /* errno at the failure, or 0 */
	char msg[MCP_ERR_MSG_MAX];   /* one line, no trailing newline */
};

void mcp_err_init(struct mcp_err *e);

/* Record an error; always returns -1 so callers can `return mcp_err_set(...)`. */
int mcp_err_set(struct mcp_err *e, enum mcp_errcat cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As mcp_err_set, appending ": strerror(errno)"; errno is read on entry. */
int mcp_err_sys(struct mcp_err *e, enum mcp_errcat cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend context ("FILE: ") to an error already recorded; returns -1. */
int mcp_err_prefix(struct mcp_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* clang-tidy's analyser sees one file at a time, so it cannot know that
 * these return -1 and follows "error returned 0" paths that do not exist
 * (uninitialised values after a failed get_*()).  Tell it; err.c defines
 * MCP_ERR_IMPL to see the functions themselves. */
#if defined(__clang_analyzer__) && !defined(MCP_ERR_IMPL)
#define mcp_err_set(...) (mcp_err_set(__VA_ARGS__), -1)
#define mcp_err_sys(...) (mcp_err_sys(__VA_ARGS__), -1)
#define mcp_err_prefix(...) (mcp_err_prefix(__VA_ARGS__), -1)
#endif

/* The exit code for the error's category (MCP_EXIT_OK for MCP_ERR_NONE). */
int mcp_err_exit(const struct mcp_err *e);

/* Exit code for a category without a record. */
int mcp_errcat_exit(enum mcp_errcat cat);

/*
 * Print "PROG: MESSAGE\n" on stderr, escaped.  For main() only.
 */
void mcp_err_print(const char *prog, const struct mcp_err *e);

/* Print "PROG: warning: MESSAGE\n" on stderr, escaped.  For main() only. */
void mcp_warn(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Copy SRC into DST (size N, always NUL-terminated) escaping every control
 * byte, backslash-free invalid UTF-8 byte and DEL as \xNN, so untrusted text
 * is safe to print.  Valid UTF-8 passes through.  Returns DST.
 */
char *mcp_escape(char *dst, size_t n, const char *src);

/*
 * Length (1-4) of the valid UTF-8 sequence at S, or 0 if the bytes there
 * are not one (RFC 3629: no overlong forms, surrogates or code points above
 * U+10FFFF).  Decoding stops at any non-continuation byte, so a NUL ends a
 * sequence: S may be a NUL-terminated string.
 */
size_t mcp_utf8_len(const unsigned char *s);

/* NULL if S is valid UTF-8 without control characters (C0, DEL, C1), else
 * the reason, e.g. "contains control characters". */
const char *mcp_text_problem(const char *s);

#endif
