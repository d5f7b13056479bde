/*
 * server.c: echo-c, an example MCP server in C (JSON-RPC 2.0 over stdio).
 *
 * The MCP stdio transport: one JSON-RPC message per line on stdin, one per
 * line on stdout, nothing else on stdout; diagnostics go to stderr.  The
 * server offers one tool, "echo", which returns its "text" argument.  It
 * is small on purpose, but it is a real server: it negotiates the protocol
 * version, answers every request exactly once, never answers a
 * notification, and reports malformed input with the JSON-RPC error codes
 * (-32700 parse error, -32600 invalid request, -32601 method not found,
 * -32602 invalid params).  End of input is a clean exit (status 0).
 *
 * It runs inside the sandbox with only its bundle, /usr and /lib visible,
 * so it needs nothing but libc and libjansson.
 */
#include <mcp-config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define PROG "echo-c"

/* A line longer than this is refused (and skipped) rather than buffered. */
#define MAX_LINE (4UL * 1024 * 1024)

/* JSON-RPC 2.0 error codes. */
#define RPC_PARSE_ERROR (-32700)
#define RPC_INVALID_REQUEST (-32600)
#define RPC_METHOD_NOT_FOUND (-32601)
#define RPC_INVALID_PARAMS (-32602)

/* The protocol revisions this server speaks, newest first. */
static const char *const protocol_versions[] = {
	"2025-06-18",
	"2025-03-26",
	"2024-11-05",
	NULL,
};

static const char *server_version = "0.0.0";

/*
 * Is S the JSON string LIT?  Strings are compared with their length, as
 * JSON strings may hold NUL ("ping\u0000x" is not "ping").
 */
static int
str_is(json_t *s, const char *lit)
{
	size_t n = strlen(lit);

	return json_is_string(s) && json_string_length(s) == n &&
	       memcmp(json_string_value(s), lit, n) == 0;
}

/* Write one message as a single line; a failed write ends the server. */
static int
send_message(json_t *msg)
{
	char *s;
	int rc = 0;

	/* Compact output never contains a raw newline: strings escape it. */
	s = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s == NULL) {
		fprintf(stderr, "%s: cannot serialise a reply\n", PROG);
		return -1;
	}
	if (fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ||
	    fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to stdout: %s\n", PROG,
			strerror(errno));
		rc = -1;
	}
	free(s);
	json_decref(msg);
	return rc;
}

/* ID is borrowed; NULL means a JSON null id. */
static int
send_error(json_t *id, int code, const char *message)
{
	json_t *msg;

	msg = json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
			id ? id : json_null(), "error", "code", code, "message",
			message);
	if (msg == NULL)
		return -1;
	return send_message(msg);
}

/* RESULT is stolen; ID is borrowed. */
static int
send_result(json_t *id, json_t *result)
{
	json_t *msg;

	if (result == NULL)
		return -1;
	msg = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
			"result", result);
	if (msg == NULL)
		return -1;
	return send_message(msg);
}

static json_t *
do_initialize(json_t *params, const char **why)
{
	json_t *v;
	const char *chosen;
	size_t i;

	if (!json_is_object(params)) {
		*why = "initialize: params must be an object";
		return NULL;
	}
	v = json_object_get(params, "protocolVersion");
	if (!json_is_string(v)) {
		*why = "initialize: params.protocolVersion must be a string";
		return NULL;
	}
	/* The client's version if we speak it, else our newest one: the
	 * client then decides whether it can continue. */
	chosen = protocol_versions[0];
	for (i = 0; protocol_versions[i] != NULL; i++)
		if (str_is(v, protocol_versions[i]))
			chosen = protocol_versions[i];
	return json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s}}", "protocolVersion",
			 chosen, "capabilities", "tools", "listChanged", 0,
			 "serverInfo", "name", PROG, "version", server_version);
}

static json_t *
do_tools_list(json_t *params, const char **why)
{
	if (params != NULL && !json_is_object(params)) {
		*why = "tools/list: params must be an object";
		return NULL;
	}
	return json_pack(
		"{s:[{s:s, s:s, s:{s:s, s:{s:{s:s, s:s}}, s:[s]}}]}", "tools",
		"name", "echo", "description",
		"Return the given text unchanged.", "inputSchema", "type",
		"object", "properties", "text", "type", "string", "description",
		"The text to echo back.", "required", "text");
}

static json_t *
do_tools_call(json_t *params, const char **why)
{
	json_t *name, *args, *text;

	if (!json_is_object(params)) {
		*why = "tools/call: params must be an object";
		return NULL;
	}
	name = json_object_get(params, "name");
	if (!json_is_string(name)) {
		*why = "tools/call: params.name must be a string";
		return NULL;
	}
	if (!str_is(name, "echo")) {
		*why = "tools/call: unknown tool";
		return NULL;
	}
	args = json_object_get(params, "arguments");
	if (!json_is_object(args)) {
		*why = "tools/call: params.arguments must be an object";
		return NULL;
	}
	text = json_object_get(args, "text");
	if (!json_is_string(text)) {
		*why = "tools/call: arguments.text must be a string";
		return NULL;
	}
	return json_pack("{s:[{s:s, s:O}], s:b}", "content", "type", "text",
			 "text", text, "isError", 0);
}

/* A request: exactly one reply.  Returns -1 only when stdout failed. */
static int
handle_request(json_t *method, json_t *id, json_t *params)
{
	json_t *result = NULL;
	const char *why = NULL;

	if (str_is(method, "initialize"))
		result = do_initialize(params, &why);
	else if (str_is(method, "ping"))
		result = json_object();
	else if (str_is(method, "tools/list"))
		result = do_tools_list(params, &why);
	else if (str_is(method, "tools/call"))
		result = do_tools_call(params, &why);
	else
		return send_error(id, RPC_METHOD_NOT_FOUND, "Method not found");
	if (result == NULL)
		return send_error(id, RPC_INVALID_PARAMS,
				  why ? why : "Invalid params");
	return send_result(id, result);
}

static int
valid_id(json_t *id)
{
	/* MCP: a request id is a string or an integer, never null. */
	return json_is_string(id) || json_is_integer(id);
}

static int
handle_line(const char *line, size_t len)
{
	json_t *msg, *jsonrpc, *method, *id, *params;
	json_error_t jerr;
	int rc;

	/* JSON_ALLOW_NUL: "\u0000" is valid JSON; strings are compared with
	 * their length (str_is), never as C strings. */
	msg = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (msg == NULL) {
		/* jerr.text quotes the input: report the position only, so no
		 * untrusted byte reaches the terminal. */
		fprintf(stderr, "%s: parse error at byte %d\n", PROG,
			jerr.position);
		return send_error(NULL, RPC_PARSE_ERROR, "Parse error");
	}
	if (json_is_array(msg)) {
		/* Batches were removed from MCP in 2025-06-18. */
		json_decref(msg);
		return send_error(NULL, RPC_INVALID_REQUEST,
				  "Invalid Request: batches are not supported");
	}
	if (!json_is_object(msg)) {
		json_decref(msg);
		return send_error(NULL, RPC_INVALID_REQUEST,
				  "Invalid Request: not an object");
	}
	jsonrpc = json_object_get(msg, "jsonrpc");
	method = json_object_get(msg, "method");
	id = json_object_get(msg, "id");
	params = json_object_get(msg, "params");

	if (method == NULL && id != NULL &&
	    (json_object_get(msg, "result") || json_object_get(msg, "error"))) {
		/* A response: this server never sends requests, ignore it. */
		fprintf(stderr, "%s: ignoring an unsolicited response\n", PROG);
		rc = 0;
	} else if (!str_is(jsonrpc, "2.0") ||
		   !json_is_string(method) || (id != NULL && !valid_id(id))) {
		rc = send_error(id != NULL && valid_id(id) ? id : NULL,
				RPC_INVALID_REQUEST, "Invalid Request");
	} else if (id == NULL) {
		/* A notification (notifications/initialized, .../cancelled):
		 * never answered. */
		rc = 0;
	} else {
		rc = handle_request(method, id, params);
	}
	json_decref(msg);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: %s [--server-version VERSION]\n\n"
		   "An example MCP server on stdio with one tool, \"echo\".\n",
		PROG);
}

/*
 * Read one line into *BUF (without its newline).  Returns 1 for a line,
 * 0 at end of input, -1 on a read error, and 2 for a line longer than
 * MAX_LINE, which is consumed without being buffered.
 */
static int
read_line(char **buf, size_t *cap, size_t *len)
{
	int c, too_long = 0;

	*len = 0;
	while ((c = getchar()) != EOF && c != '\n') {
		if (too_long)
			continue;
		if (*len + 1 >= MAX_LINE) {
			too_long = 1;
			continue;
		}
		if (*len + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *p = realloc(*buf, ncap);

			if (p == NULL)
				return -1;
			*buf = p;
			*cap = ncap;
		}
		(*buf)[(*len)++] = (char)c;
	}
	if (c == EOF && ferror(stdin))
		return -1;
	if (c == EOF && *len == 0 && !too_long)
		return 0;
	if (too_long)
		return 2;
	if (*cap == 0) { /* an empty first line: nothing allocated yet */
		if ((*buf = malloc(4096)) == NULL)
			return -1;
		*cap = 4096;
	}
	(*buf)[*len] = '\0';
	return 1;
}

int
main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0, len;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server-version") == 0 && i + 1 < argc) {
			server_version = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown argument \"%s\"\n", PROG,
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	/* A closed client is a write error, not a silent death. */
	signal(SIGPIPE, SIG_IGN);

	while ((r = read_line(&line, &cap, &len)) > 0) {
		if (r == 2) {
			fprintf(stderr, "%s: message over %lu bytes refused\n",
				PROG, MAX_LINE);
			if (send_error(NULL, RPC_PARSE_ERROR,
				       "Parse error: message too long") < 0)
				goto fail;
			continue;
		}
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		if (handle_line(line, len) < 0)
			goto fail;
	}
	if (r < 0) {
		fprintf(stderr, "%s: reading stdin: %s\n", PROG, strerror(errno));
		goto fail;
	}
	free(line);
	return 0;
fail:
	free(line);
	return 1;
}
