/*
 * layers.c: the per-run table of layer statuses.
 */
#include <mcp-config.h>

#include <stdio.h>
#include <string.h>

#include "layers.h"

void
layer_set(struct layers *ls, enum layer l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ls->st[l], sizeof(ls->st[l]), fmt, ap);
	va_end(ap);
}

int
layer_applied(const struct layers *ls, enum layer l)
{
	return strcmp(ls->st[l], "applied") == 0;
}
