/*
 * spec.h: the mcp.spec/v1 document, read strictly.
 *
 * mcp-exec trusts nothing in a spec it has not checked: every member it
 * uses is type- and range-checked here, before any process is created, and
 * a bad spec is a usage error (exit 2) naming the member.  The struct keeps
 * a reference to the parsed document; the strings it points to are
 * borrowed from it and live until mcp_spec_release().
 */
#ifndef MCP_EXEC_SPEC_H
#define MCP_EXEC_SPEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "layers.h"

/* Upper bounds of the limits (each must also be >= 1). */
#define SPEC_MAX_MILLICORES 1024000ULL     /* 1024 CPUs */
#define SPEC_MAX_MEMORY (1ULL << 50)       /* 1 PiB */
#define SPEC_MAX_PIDS 4194304ULL           /* PID_MAX_LIMIT */
#define SPEC_MAX_FDS 1048576ULL            /* default fs.nr_open */
#define SPEC_MAX_TIMEOUT_MS 31536000000ULL /* 365 days */
#define SPEC_MAX_ARGS 4096
#define SPEC_MAX_ENV 4096

struct spec_limits {
	uint64_t cpu_millicores;
	uint64_t memory_bytes;
	uint64_t pids;
	uint64_t fds;
	uint64_t timeout_ms;
};

#define SPEC_MAX_GRANTS 256
#define SPEC_MAX_PORTS 64
#define SPEC_MAX_HOST 253 /* a DNS name, without the final dot */

/* A filesystem grant: a host path visible at the same path. */
struct spec_grant {
	const char *path; /* absolute, borrowed */
	int rw;
};

enum spec_net { NET_NONE, NET_ALLOWLIST, NET_HOST };

/* The layers isolation.disable may name (bits of enum layer). */
#define SPEC_DISABLEABLE \
	((1U << L_NS) | (1U << L_LANDLOCK) | (1U << L_SECCOMP))

struct mcp_spec {
	json_t *doc;       /* owned reference */
	const char *label; /* the spec's name in messages */
	const char **argv; /* NULL-terminated, strings borrowed */
	size_t argc;
	const char *cwd;
	mode_t umask;
	json_t *env;      /* borrowed: object name -> string */
	json_t *pass_env; /* borrowed: array of names, may be NULL */
	json_t *secrets;  /* borrowed: array of {name, as}, may be NULL */
	size_t nsecret_files; /* how many of them are "as": "file" */
	json_t *require;  /* borrowed: isolation.require, may be NULL */
	const char *tree; /* bundle tree, absolute, or NULL */
	struct spec_grant *grants; /* filesystem grants */
	size_t ngrants;
	enum spec_net net;
	int subprocess;   /* may the server start programs (default no) */
	unsigned disable; /* bit (1 << enum layer) per isolation.disable */
	unsigned short ports[SPEC_MAX_PORTS]; /* network.allow's ports */
	size_t nports;
	/* network.allow's host names (lower case) and, per entry, the last
	 * octet of the loopback address 127.0.0.X the relay gives that name
	 * in the run's network namespace (one per distinct name). */
	char hosts[SPEC_MAX_PORTS][SPEC_MAX_HOST + 1];
	unsigned char host_octet[SPEC_MAX_PORTS];
	unsigned short bind_port; /* transport.port (http), or 0 */
	struct spec_limits limits;
};

/* Zero S. */
void mcp_spec_init(struct mcp_spec *s);

/*
 * Check DOC (a reference is taken) as an mcp.spec/v1 named LABEL and fill
 * S.  Errors are MCP_ERR_USAGE: "LABEL: limits.pids: must be ...".
 */
int mcp_spec_parse(struct mcp_spec *s, json_t *doc, const char *label,
                   struct mcp_err *e);

/* Release what S holds. */
void mcp_spec_release(struct mcp_spec *s);

/* Is NAME a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)? */
int mcp_spec_env_name_ok(const char *name);

/* The names of enum spec_net. */
extern const char *const mcp_spec_net_names[];

/* The layer names isolation.require may list (NULL-terminated). */
extern const char *const mcp_spec_layers[];

/* The identity members copied into records (NULL-terminated); plus
 * "certification_level". */
extern const char *const mcp_spec_ident[];

#endif
