/*
 * policy.h: the policy model of mcp-policy (mcp-config(5), "policy").
 *
 * A policy is the built-in policy plus one layer per configuration file
 * that has a `policy` section, in order (system, user, --config files).
 * A later layer may tighten an earlier one, never loosen it:
 *   - single values (certification, caps, network mode, subprocess,
 *     ungranted, status.allow) merge to the strictest; a looser value in a
 *     later layer is ignored with a warning naming FILE:LINE;
 *   - allow-lists stay per layer: a request must be allowed by every layer
 *     that gives the list (a silent layer does not restrict), and by at
 *     least one, since the built-in policy grants nothing;
 *   - deny-lists and isolation.require are the union of all layers.
 *
 * Ownership: struct mcp_policy owns its layers, their strings and its
 * warnings.  Errors are MCP_ERR_USAGE with "FILE:LINE:COL: key: message",
 * reported through struct mcp_err; nothing here prints.
 */
#ifndef MCP_POLICY_H
#define MCP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "yaml.h"

/* Ordered from loosest to strictest, so "stricter" is ">". */
enum mcp_cert_mode { MCP_CERT_DISABLED, MCP_CERT_WARN, MCP_CERT_STRICT };
enum mcp_net_mode { MCP_NET_HOST, MCP_NET_ALLOWLIST, MCP_NET_NONE };
enum mcp_ungranted { MCP_UNGRANTED_DROP, MCP_UNGRANTED_DENY };

/* Filesystem access: a grant covers a request when it has every bit. */
#define MCP_ACCESS_R 1u
#define MCP_ACCESS_W 2u
#define MCP_ACCESS_X 4u

enum mcp_limit {
	MCP_LIMIT_CPU,    /* millicores */
	MCP_LIMIT_MEMORY, /* bytes */
	MCP_LIMIT_PIDS,
	MCP_LIMIT_FDS,
	MCP_LIMIT_TIMEOUT, /* milliseconds */
	MCP_LIMIT_N
};

/* Registry statuses, plus "none" for a document without one. */
enum mcp_status {
	MCP_STATUS_DRAFT,
	MCP_STATUS_INGESTED,
	MCP_STATUS_SCANNED,
	MCP_STATUS_PUBLISHED,
	MCP_STATUS_DEPRECATED,
	MCP_STATUS_QUARANTINED,
	MCP_STATUS_REVOKED,
	MCP_STATUS_NONE,
	MCP_STATUS_N
};

/* Where a value came from: FILE NULL means the built-in policy. */
struct mcp_policy_src {
	const char *file; /* borrowed from the layer */
	unsigned line, col;
};

/* A list given by one layer; SET is 0 when the layer is silent. */
struct mcp_policy_list {
	int set;
	char **v;
	size_t n;
	struct mcp_policy_src src;
};

struct mcp_policy_fsgrant {
	char *path; /* absolute, normalised */
	char *real; /* where PATH leads when it exists and differs, or NULL */
	unsigned access;
};

/* One configuration file's policy section, validated. */
struct mcp_policy_layer {
	char *file;

	int has_cert_min, has_cert_mode;
	unsigned cert_min;
	enum mcp_cert_mode cert_mode;
	struct mcp_policy_src cert_min_src, cert_mode_src;

	int has_status_allow, has_status_warn;
	unsigned status_allow, status_warn; /* bit (1 << enum mcp_status) */
	struct mcp_policy_src status_allow_src, status_warn_src;

	struct mcp_policy_list pkg_allow, pkg_deny, origins, registries;

	int has_def[MCP_LIMIT_N], has_cap[MCP_LIMIT_N];
	uint64_t def[MCP_LIMIT_N], cap[MCP_LIMIT_N];
	struct mcp_policy_src def_src[MCP_LIMIT_N], cap_src[MCP_LIMIT_N];

	struct mcp_policy_list env_allow, env_secrets;

	int has_fs;
	struct mcp_policy_fsgrant *fs;
	size_t nfs;
	struct mcp_policy_src fs_src;

	int has_net_mode;
	enum mcp_net_mode net_mode;
	struct mcp_policy_src net_mode_src;
	struct mcp_policy_list net_allow;

	int has_subprocess, subprocess;
	struct mcp_policy_src subprocess_src;

	int has_ungranted;
	enum mcp_ungranted ungranted;
	struct mcp_policy_src ungranted_src;

	struct mcp_policy_list iso_require, iso_degrade;

	struct mcp_policy_list oci_accept; /* oci.accept: gap names */
};

/* The merged policy.  Scalars are effective values; lists stay in layers. */
struct mcp_policy {
	struct mcp_policy_layer *layers;
	size_t nlayers;

	unsigned cert_min;
	enum mcp_cert_mode cert_mode;
	struct mcp_policy_src cert_min_src, cert_mode_src;

	unsigned status_allow, status_warn;
	struct mcp_policy_src status_allow_src, status_warn_src;

	uint64_t def[MCP_LIMIT_N], cap[MCP_LIMIT_N];
	struct mcp_policy_src def_src[MCP_LIMIT_N], cap_src[MCP_LIMIT_N];

	enum mcp_net_mode net_mode;
	struct mcp_policy_src net_mode_src;

	int subprocess; /* 1 only if some layer allows and none refuses */
	struct mcp_policy_src subprocess_src;

	enum mcp_ungranted ungranted;
	struct mcp_policy_src ungranted_src;

	/* Isolation layers: union of require; degrade allowed by every layer
	 * that lists it, minus require.  Names are static strings. */
	const char **iso_require, **iso_degrade;
	size_t niso_require, niso_degrade;

	/* oci.accept: the gaps of an OCI bundle listed by every layer that
	 * gives the list (none: nothing accepted).  Static strings. */
	const char **oci_accept;
	size_t noci_accept;

	char **warnings; /* merge warnings, "FILE:LINE: ..." */
	size_t nwarnings;
};

/* Built-in values (DESIGN.md, mcp-config(5)). */
extern const uint64_t mcp_policy_builtin_def[MCP_LIMIT_N];
extern const uint64_t mcp_policy_builtin_cap[MCP_LIMIT_N];
/* Upper bound of any policy value of each limit (a typo guard). */
extern const uint64_t mcp_policy_limit_max[MCP_LIMIT_N];

/*
 * What an OCI runtime bundle (mcp-policy --oci) cannot express, by the
 * name policy.oci.accept uses (NULL-terminated): "landlock", "timeout",
 * "allowlist", "inbound", "secrets", "pass_env" (mcp-config(5), "oci").
 */
extern const char *const mcp_policy_oci_gaps[];

/* Set P to the built-in policy. */
void mcp_policy_init(struct mcp_policy *p);
void mcp_policy_release(struct mcp_policy *p);

/*
 * Validate NODE (the value of a `policy` key of FILE) and merge it into P as
 * the next layer.  A null or empty section is a layer that says nothing.
 * Errors leave P as it was.
 */
int mcp_policy_add(struct mcp_policy *p, const char *file,
                   const struct mcp_ynode *node, struct mcp_err *e);

/* Names used in messages and documents. */
const char *mcp_limit_name(enum mcp_limit l);     /* "cpu", "memory", ... */
const char *mcp_limit_spec_key(enum mcp_limit l); /* "cpu_millicores", ... */
const char *mcp_status_name(enum mcp_status s);
const char *mcp_cert_mode_name(enum mcp_cert_mode m);
const char *mcp_net_mode_name(enum mcp_net_mode m);
const char *mcp_access_name(unsigned access); /* "ro", "rw", "rx", "rwx" */
/* Status of NAME (NULL for "none"), or -1 if it is none of them. */
int mcp_status_parse(const char *name);
/* Access string to bits, or 0 if it is not ro, rw, rx or rwx. */
unsigned mcp_access_parse(const char *s);

/* Format a limit value as the policy writes it ("512M", "1000m", "8h"). */
char *mcp_limit_format(enum mcp_limit l, uint64_t v, char *buf, size_t n);

/* "FILE:LINE" or "built-in" into BUF. */
char *mcp_policy_src_format(const struct mcp_policy_src *s, char *buf,
                            size_t n);

/*
 * Decisions on one request.  Each returns 1 when granted, 0 when not, and
 * on 0 puts a one-line reason ("not allowed by FILE:LINE") into WHY.
 */
/* Package id against packages.allow/deny (fnmatch, '*' stops at '/'). */
int mcp_policy_package(const struct mcp_policy *p, const char *pkg, char *why,
                       size_t n);
/* Origin (NULL: none) against origins.allow. */
int mcp_policy_origin(const struct mcp_policy *p, const char *origin, char *why,
                      size_t n);
/* Registry URL (NULL: none) against registries.allow. */
int mcp_policy_registry(const struct mcp_policy *p, const char *registry,
                        char *why, size_t n);
/* An environment variable to pass through; *SECRET set when it is one. */
int mcp_policy_env(const struct mcp_policy *p, const char *name, int *secret,
                   char *why, size_t n);
/* 1 if NAME is never passed through, whatever the policy says. */
int mcp_policy_env_forbidden(const char *name);
/* An absolute normalised host path with ACCESS bits. */
int mcp_policy_fs(const struct mcp_policy *p, const char *path, unsigned access,
                  char *why, size_t n);
/* A "host:port" network destination; the effective mode is in *MODE. */
int mcp_policy_net(const struct mcp_policy *p, const char *dest,
                   enum mcp_net_mode *mode, char *why, size_t n);
/* 1 if every layer giving policy.oci.accept lists GAP (and one does);
 * SRC gets those layers' "FILE:LINE"s, or WHY says who refuses it. */
int mcp_policy_oci_accepted(const struct mcp_policy *p, const char *gap,
                            char *src, size_t n);
/* The effective network mode (an allow-list caps it at allowlist). */
enum mcp_net_mode mcp_policy_net_mode(const struct mcp_policy *p);

/* Syntax checks shared with spec.c. */
int mcp_policy_hostport_valid(const char *s);
int mcp_policy_env_name_valid(const char *s);
/* Normalise an absolute path lexically into a new string: no "." or empty
 * components, no trailing '/'; NULL if it is relative or has "..". */
char *mcp_policy_path_norm(const char *path);
/* 1 if PATH is PREFIX or lies under it (component-wise). */
int mcp_policy_path_under(const char *path, const char *prefix);

#endif
