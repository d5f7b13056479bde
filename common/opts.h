/*
 * opts.h: the parts of main() every tool shares: standard descriptors,
 * one option table for getopt_long and --help, --version, and refusing a
 * repeated option by name.
 */
#ifndef MCP_OPTS_H
#define MCP_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "err.h"

/* One row of a tool's option table; the table ends with a zeroed row. */
struct mcp_opt {
	const char *name;     /* long name, without "--" */
	int has_arg;          /* no_argument / required_argument */
	int val;              /* short option char, or a value >= 256 */
	const char *argname;  /* "FILE", "URL|DIR", ... or NULL */
	const char *help;     /* one line */
};

#define MCP_OPTS_MAX 64

/* getopt_long inputs built from a table (no allocation). */
struct mcp_getopt {
	struct option longopts[MCP_OPTS_MAX + 1];
	char shortopts[2 * MCP_OPTS_MAX + 2];
};

/* Open /dev/null on fds 0, 1 and 2 where closed.  Returns -1 on failure. */
int mcp_std_fds(void);

/* Fill G from TAB.  The short option string starts with '+' (POSIX order:
 * options stop at the first operand, so "REF -- ARGS" works). */
void mcp_getopt_init(struct mcp_getopt *g, const struct mcp_opt *tab);

/* Print "Usage: ...\n" lines, a blank line, the summary and the options. */
void mcp_opts_help(FILE *f, const char *usage, const char *summary,
		   const struct mcp_opt *tab);

/* Print "PROG (mcp-tools) VERSION\n". */
void mcp_opts_version(FILE *f, const char *prog);

/* Refuse a repeated option: BIT is the option's bit in *SEEN. */
int mcp_opt_once(unsigned long long *seen, unsigned bit, const char *name,
		 struct mcp_err *e);

/* Parse a non-negative decimal integer option argument strictly. */
int mcp_opt_uint(const char *name, const char *arg, unsigned long long max,
		 unsigned long long *out, struct mcp_err *e);

#endif
