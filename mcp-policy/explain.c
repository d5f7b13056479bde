/*
 * explain.c: the --explain table: every rule that was applied, what it
 * looked at and what came of it, for a person reviewing a package.
 *
 * Invariant: every cell that came from the input document is escaped, so
 * a hostile package name or path cannot draw on the reviewer's terminal.
 */
#include <mcp-config.h>

#include <stdio.h>
#include <string.h>

#include "spec.h"

/* Column widths are bounded: a long path must not push DETAIL off screen. */
#define RULE_MAX 16
#define INPUT_MAX 40

static void
cell(FILE *f, const char *s, size_t width)
{
	char buf[4 * 2048 + 1];
	size_t len;

	mcp_escape(buf, sizeof(buf), s);
	len = strlen(buf);
	fputs(buf, f);
	/* An over-long cell keeps its text and still gets the gutter, so a
	 * long path never runs into the next column. */
	for (; len < width; len++)
		fputc(' ', f);
	fputs("  ", f);
}

void
mcp_explain_print(FILE *f, const struct mcp_policy *p,
                  const struct mcp_eval *ev)
{
	char buf[4 * 2048 + 1];
	size_t i, wr = strlen("RULE"), wi = strlen("INPUT"), n;

	for (i = 0; i < ev->nrows; i++) {
		n = strlen(ev->rows[i].rule);
		if (n > wr && n <= RULE_MAX)
			wr = n;
		n = strlen(ev->rows[i].input);
		if (n > wi && n <= INPUT_MAX)
			wi = n;
	}
	fputs("policy:", f);
	fputs(" built-in", f);
	for (i = 0; i < p->nlayers; i++) {
		mcp_escape(buf, sizeof(buf), p->layers[i].file);
		fprintf(f, ", %s", buf);
	}
	fputs("\n", f);
	for (i = 0; i < p->nwarnings; i++) {
		mcp_escape(buf, sizeof(buf), p->warnings[i]);
		fprintf(f, "policy warning: %s\n", buf);
	}
	fputs("\n", f);
	cell(f, "RULE", wr);
	cell(f, "INPUT", wi);
	cell(f, "OUTCOME", strlen("default"));
	fputs("DETAIL\n", f);
	for (i = 0; i < ev->nrows; i++) {
		const struct mcp_eval_row *r = &ev->rows[i];

		cell(f, r->rule, wr);
		cell(f, r->input, wi);
		cell(f, mcp_outcome_name(r->outcome), strlen("default"));
		mcp_escape(buf, sizeof(buf), r->detail);
		fprintf(f, "%s\n", buf);
	}
	fputs("\n", f);
	if (ev->denied)
		fprintf(f, "result: denied (%zu reason%s)\n",
		        json_array_size(ev->reasons),
		        json_array_size(ev->reasons) == 1 ? "" : "s");
	else
		fprintf(f, "result: granted (%zu warning%s, %zu dropped)\n",
		        p->nwarnings + json_array_size(ev->warnings),
		        p->nwarnings + json_array_size(ev->warnings) == 1 ? ""
		                                                          : "s",
		        json_array_size(ev->dropped));
}
