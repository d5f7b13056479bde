/*
 * records.c: build and write the execution records.
 */
#include <mcp-config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "io.h"
#include "records.h"
#include "xalloc.h"

json_t *
records_new(const struct mcp_spec *s, const char *event)
{
	json_t *r = mcp_doc_new(MCP_KIND_EXEC), *v;
	size_t i;

	json_object_set_new(r, "event", json_string(event));
	/* The identity members, as the spec carried them (checked there). */
	for (i = 0; mcp_spec_ident[i] != NULL; i++)
		if ((v = json_object_get(s->doc, mcp_spec_ident[i])) != NULL)
			json_object_set(r, mcp_spec_ident[i], v);
	if ((v = json_object_get(s->doc, "certification_level")) != NULL)
		json_object_set(r, "certification_level", v);
	return r;
}

int
records_write(int fd, json_t *rec, struct mcp_err *e)
{
	char now[32], *line;
	size_t len;
	int rc;

	if (fd < 0)
		return 0;
	mcp_now_rfc3339(now);
	json_object_set_new(rec, "time", json_string(now));
	line = json_dumps(rec, JSON_COMPACT);
	if (line == NULL)
		mcp_oom();
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	line[len] = '\0';
	/* One write() with O_APPEND: the line lands whole at the end. */
	rc = mcp_write_all(fd, line, len);
	free(line);
	if (rc < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "records: write");
	return 0;
}
