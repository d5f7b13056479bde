/*
 * opts.c: the shared front of every tool's main(): standard descriptors,
 * getopt_long from one table, --help, --version, and refusing repeated or
 * malformed option values.
 *
 * Invariant: --help is generated from the same table getopt_long parses,
 * so the help text can never list an option the tool does not accept (and
 * t0001 can compare it with the man page).
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"

int
mcp_std_fds(void)
{
	int fd;

	/*
	 * A closed 0, 1 or 2 would be reused by the next open(), and a
	 * document or a diagnostic would land in a file we opened for
	 * something else.  open() returns the lowest free descriptor, so
	 * opening in order fills exactly the gaps.
	 */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", O_RDWR);

		if (nfd < 0)
			return -1;
		if (nfd != fd) {
			/* Cannot happen with lower fds open; do not leak. */
			close(nfd);
			errno = EBADF;
			return -1;
		}
	}
	return 0;
}

void
mcp_getopt_init(struct mcp_getopt *g, const struct mcp_opt *tab)
{
	size_t i, s = 0;

	memset(g, 0, sizeof(*g));
	g->shortopts[s++] = '+';
	for (i = 0; i < MCP_OPTS_MAX && tab[i].name != NULL; i++) {
		g->longopts[i].name = tab[i].name;
		g->longopts[i].has_arg = tab[i].has_arg;
		g->longopts[i].flag = NULL;
		g->longopts[i].val = tab[i].val;
		if (tab[i].val > 0 && tab[i].val < 256) {
			g->shortopts[s++] = (char)tab[i].val;
			if (tab[i].has_arg == required_argument)
				g->shortopts[s++] = ':';
			else if (tab[i].has_arg == optional_argument) {
				g->shortopts[s++] = ':';
				g->shortopts[s++] = ':';
			}
		}
	}
	/* memset above left the terminating zero row and NUL. */
	g->shortopts[s] = '\0';
}

/* The left column of an option's help line, e.g. "-c, --config FILE". */
static void
opt_left(const struct mcp_opt *o, char *buf, size_t n)
{
	const char *arg = o->argname;

	if (arg == NULL && o->has_arg != no_argument)
		arg = "ARG";
	if (o->val > 0 && o->val < 256)
		snprintf(buf, n, "-%c, --%s%s%s", o->val, o->name,
		         arg ? " " : "", arg ? arg : "");
	else
		snprintf(buf, n, "    --%s%s%s", o->name, arg ? " " : "",
		         arg ? arg : "");
}

void
mcp_opts_help(FILE *f, const char *usage, const char *summary,
              const struct mcp_opt *tab)
{
	char left[128];
	size_t i, w = 0, len;
	const char *p, *nl;

	/* Each line of USAGE is one synopsis. */
	for (p = usage; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == 0)
			continue;
		if (strncmp(p, "Usage: ", 7) == 0)
			fprintf(f, "%.*s\n", (int)len, p);
		else
			fprintf(f, "Usage: %.*s\n", (int)len, p);
	}
	fputc('\n', f);
	if (summary != NULL && *summary != '\0') {
		fputs(summary, f);
		if (summary[strlen(summary) - 1] != '\n')
			fputc('\n', f);
		fputc('\n', f);
	}
	fputs("Options:\n", f);
	for (i = 0; i < MCP_OPTS_MAX && tab[i].name != NULL; i++) {
		opt_left(&tab[i], left, sizeof(left));
		if (strlen(left) > w)
			w = strlen(left);
	}
	for (i = 0; i < MCP_OPTS_MAX && tab[i].name != NULL; i++) {
		opt_left(&tab[i], left, sizeof(left));
		fprintf(f, "  %-*s   %s\n", (int)w, left,
		        tab[i].help ? tab[i].help : "");
	}
}

void
mcp_opts_version(FILE *f, const char *prog)
{
	fprintf(f, "%s (mcp-tools) %s\n", prog, MCP_VERSION);
}

int
mcp_opt_once(unsigned long long *seen, unsigned bit, const char *name,
             struct mcp_err *e)
{
	unsigned long long m;

	if (bit >= 64)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --%s: bad option bit", name);
	m = 1ULL << bit;
	if (*seen & m)
		return mcp_err_set(e, MCP_ERR_USAGE, "option --%s given twice",
		                   name);
	*seen |= m;
	return 0;
}

int
mcp_opt_uint(const char *name, const char *arg, unsigned long long max,
             unsigned long long *out, struct mcp_err *e)
{
	unsigned long long v = 0;
	const char *p;
	unsigned d;

	/* Only digits: strtoull would accept "-1" (as a huge value), "+5",
	 * leading spaces and "0x10". */
	if (arg == NULL || *arg == '\0')
		goto bad;
	for (p = arg; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		d = (unsigned)(*p - '0');
		if (v > max / 10 || (v == max / 10 && d > max % 10))
			goto bad;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
bad:
	return mcp_err_set(
	    e, MCP_ERR_USAGE,
	    "option --%s: \"%s\" is not a decimal integer between 0 and %llu",
	    name, arg ? arg : "", max);
}
