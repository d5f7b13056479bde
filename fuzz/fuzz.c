/*
 * fuzz.c: helpers shared by the fuzz targets.
 */
#include <mcp-config.h>

#include <string.h>

#include "fuzz.h"

char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fuzz_report(const char *what, int rc, const char *msg)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("MCP_FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "%s: %s\n", what, rc == 0 ? "ok" : msg);
}
