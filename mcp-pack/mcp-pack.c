/*
 * mcp-pack: turn a directory (an `npm install --omit=dev` tree, a Python
 * package, a binary and its files) into a reproducible bundle and a
 * client-format manifest, and add both to a directory registry
 * (mcp-pack(1)); describe the result as an mcp.pack/v1 document.
 *
 * The story: parse the command line, build the manifest from it and
 * check it with mcp-verify's own validator (so a manifest that packs is
 * one that verifies), scan the tree and check it against mcp-verify's
 * archive rules, check the entrypoint against the tree, and only then
 * write anything: the bundle to a temporary file (hashing it on the way),
 * the manifest with the bundle's digest, and finally, under the index
 * lock, the blobs and the index, each renamed into place.
 */
#include <mcp-config.h>

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "digest.h"
#include "doc.h"
#include "err.h"
#include "manifest.h"
#include "opts.h"
#include "paths.h"
#include "publish.h"
#include "ref.h"
#include "tree.h"
#include "units.h"
#include "xalloc.h"

static const char prog[] = "mcp-pack";

#define MCP_KIND_PACK "mcp.pack/v1"

/* mcp-fetch's default cap on a bundle (FORMATS.md): a bigger one packs
 * but nobody could fetch it. */
#define BUNDLE_MAX (100ull * 1024 * 1024)

/* Largest time a ustar header holds (11 octal digits). */
#define MTIME_MAX 8589934591LL

enum {
	OPT_REGISTRY = 256,
	OPT_BUNDLE,
	OPT_MANIFEST,
	OPT_COMMAND,
	OPT_ARG,
	OPT_ARCH,
	OPT_GIT_SHA,
	OPT_DESCRIPTION,
	OPT_LICENSE,
	OPT_TRANSPORT,
	OPT_PORT,
	OPT_NETWORK,
	OPT_ENV,
	OPT_FILESYSTEM,
	OPT_SUBPROCESS,
	OPT_MAX_CPU,
	OPT_MAX_MEMORY,
	OPT_MAX_PIDS,
	OPT_MAX_FDS,
	OPT_TIMEOUT,
	OPT_STATUS,
	OPT_CERT,
	OPT_ORIGIN,
	OPT_FORCE,
	OPT_MTIME,
	OPT_CONFIG,
	OPT_HELP,
	OPT_VERSION,
};

static const struct mcp_opt options[] = {
    {"registry", required_argument, OPT_REGISTRY, "DIR",
     "add the package to this directory registry"},
    {"bundle", required_argument, OPT_BUNDLE, "FILE",
     "without --registry: write the bundle to FILE"},
    {"manifest", required_argument, OPT_MANIFEST, "FILE",
     "without --registry: write the manifest to FILE"},
    {"command", required_argument, OPT_COMMAND, "CMD",
     "entrypoint: a file of DIR, or an interpreter (node, python3)"},
    {"arg", required_argument, OPT_ARG, "ARG",
     "entrypoint argument (repeatable, in order)"},
    {"arch", required_argument, OPT_ARCH, "ARCH",
     "amd64 or arm64 (repeatable; default: see mcp-pack(1))"},
    {"git-sha", required_argument, OPT_GIT_SHA, "SHA",
     "the commit the package was built from (40 hex digits)"},
    {"description", required_argument, OPT_DESCRIPTION, "TEXT",
     "package.description"},
    {"license", required_argument, OPT_LICENSE, "SPDX", "package.license"},
    {"transport", required_argument, OPT_TRANSPORT, "TYPE",
     "stdio (default) or http"},
    {"port", required_argument, OPT_PORT, "N", "the http transport's port"},
    {"network", required_argument, OPT_NETWORK, "HOST:PORT",
     "request outbound network access (repeatable)"},
    {"env", required_argument, OPT_ENV, "NAME",
     "request an environment variable (repeatable)"},
    {"filesystem", required_argument, OPT_FILESYSTEM, "PATH[:ro|:rw]",
     "request a path (repeatable)"},
    {"subprocess", no_argument, OPT_SUBPROCESS, NULL,
     "request permission to start processes"},
    {"max-cpu", required_argument, OPT_MAX_CPU, "MILLICORES",
     "recommended CPU limit"},
    {"max-memory", required_argument, OPT_MAX_MEMORY, "SIZE",
     "recommended memory limit (256M, 1G)"},
    {"max-pids", required_argument, OPT_MAX_PIDS, "N",
     "recommended process limit"},
    {"max-fds", required_argument, OPT_MAX_FDS, "N",
     "recommended file descriptor limit"},
    {"timeout", required_argument, OPT_TIMEOUT, "DURATION",
     "recommended run time limit (30m, 8h)"},
    {"status", required_argument, OPT_STATUS, "STATUS",
     "registry status (default published, or kept)"},
    {"certification-level", required_argument, OPT_CERT, "N",
     "registry certification level 0-3 (default 0)"},
    {"origin", required_argument, OPT_ORIGIN, "ORIGIN",
     "official, verified or community (default community, or kept)"},
    {"force", no_argument, OPT_FORCE, NULL,
     "replace a version already registered with other digests"},
    {"mtime", required_argument, OPT_MTIME, "SECONDS",
     "time stamp of every entry (default $SOURCE_DATE_EPOCH or 0)"},
    {"config", required_argument, OPT_CONFIG, "FILE",
     "read FILE after the default configuration files"},
    {"quiet", no_argument, 'q', NULL, "print no warnings"},
    {"verbose", no_argument, 'v', NULL, "report progress on stderr"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {"version", no_argument, OPT_VERSION, NULL, "print the version and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const char usage[] =
    "mcp-pack --registry DIR --command CMD [--arg ARG]... [OPTIONS] "
    "ORG/NAME@VERSION DIR\n"
    "mcp-pack --bundle FILE --manifest FILE --command CMD [OPTIONS] "
    "ORG/NAME@VERSION DIR\n";

static const char summary[] =
    "Pack DIR into a reproducible bundle (sorted entries, fixed times,\n"
    "owners and modes) with a client-format manifest, and add both to a\n"
    "directory registry; write an mcp.pack/v1 document on stdout.";

/* A repeatable option's values, in order (borrowed from argv). */
struct list {
	const char **v;
	size_t n;
};

struct run {
	int quiet, verbose, force, subprocess;
	char *configs[MCP_CONFIG_MAX_FILES];
	size_t nconfigs;
	const char *registry, *bundle_out, *manifest_out;
	const char *command, *git_sha, *description, *license;
	const char *transport, *max_memory, *timeout;
	const char *status, *origin;
	long long port, max_cpu, max_pids, max_fds, cert;
	int64_t mtime;
	int mtime_set;
	struct list args, arches, network, env, filesystem;
	const char *refarg, *dir;

	struct mcp_ref ref;
	struct mcp_config cfg;
	const char *const *interpreters;
	const char *host_arch;
	json_t *manifest; /* built from the options */
	struct mcp_manifest m;
	struct mcp_tree tree;

	/* Results. */
	struct mcp_tmpfile bun_tmp;
	char bundle_digest[MCP_DIGEST_STR_MAX];
	uint64_t bundle_size;
	char *manifest_buf;
	size_t manifest_len;
	char manifest_digest[MCP_DIGEST_STR_MAX];
	char *bundle_path, *manifest_path; /* final, absolute */
	struct mcp_index_result idx;
};

static void info(const struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* -v progress lines, escaped like every message. */
static void
info(const struct run *r, const char *fmt, ...)
{
	char raw[MCP_ERR_MSG_MAX], buf[4 * MCP_ERR_MSG_MAX + 1];
	va_list ap;

	if (!r->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, mcp_escape(buf, sizeof(buf), raw));
}

static void
list_add(struct list *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

/* An integer option in [1, MAX]. */
static int
pos_arg(const char *name, const char *arg, unsigned long long max,
        long long *out, struct mcp_err *e)
{
	unsigned long long v;

	if (mcp_opt_uint(name, arg, max, &v, e) < 0)
		return -1;
	if (v == 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --%s: must be at least 1", name);
	*out = (long long)v;
	return 0;
}

/* Text that goes into the manifest as it is: printable UTF-8. */
static int
text_arg(const char *name, const char *arg, const char **out, struct mcp_err *e)
{
	const char *why = mcp_text_problem(arg);

	if (why != NULL)
		return mcp_err_set(e, MCP_ERR_USAGE, "option --%s: %s", name,
		                   why);
	*out = arg;
	return 0;
}

static int
one_of(const char *name, const char *arg, const char *const *allowed,
       const char **out, struct mcp_err *e)
{
	size_t i;

	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(arg, allowed[i]) == 0) {
			*out = allowed[i];
			return 0;
		}
	return mcp_err_set(e, MCP_ERR_USAGE,
	                   "option --%s: \"%.80s\" is not one of the values "
	                   "mcp-pack(1) lists",
	                   name, arg);
}

/* A --mtime or SOURCE_DATE_EPOCH value. */
static int
mtime_arg(const char *what, const char *arg, int64_t *out, struct mcp_err *e)
{
	unsigned long long v;
	struct mcp_err sub;

	mcp_err_init(&sub);
	if (mcp_opt_uint("mtime", arg, (unsigned long long)MTIME_MAX, &v,
	                 &sub) < 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "%s: \"%.40s\" is not a number of seconds "
		                   "from 0 to %lld",
		                   what, arg, MTIME_MAX);
	*out = (int64_t)v;
	return 0;
}

static int
parse_args(struct run *r, int argc, char **argv, struct mcp_err *e)
{
	static const char *const transports[] = {"stdio", "http", NULL};
	static const char *const arches[] = {"amd64", "arm64", NULL};
	static const char *const statuses[] = {
	    "draft",      "ingested",    "scanned", "published",
	    "deprecated", "quarantined", "revoked", NULL};
	static const char *const origins[] = {"official", "verified",
	                                      "community", NULL};
	struct mcp_getopt g;
	unsigned long long seen = 0, n;
	const char *s;
	uint64_t u;
	int c;

	mcp_getopt_init(&g, options);
	opterr = 0;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) !=
	       -1) {
		switch (c) {
		case OPT_HELP:
			mcp_opts_help(stdout, usage, summary, options);
			exit(fflush(stdout) == 0 && !ferror(stdout)
			         ? MCP_EXIT_OK
			         : MCP_EXIT_RUNTIME);
		case OPT_VERSION:
			mcp_opts_version(stdout, prog);
			exit(fflush(stdout) == 0 && !ferror(stdout)
			         ? MCP_EXIT_OK
			         : MCP_EXIT_RUNTIME);
		case OPT_REGISTRY:
			if (mcp_opt_once(&seen, 0, "registry", e) < 0)
				return -1;
			r->registry = optarg;
			break;
		case OPT_BUNDLE:
			if (mcp_opt_once(&seen, 1, "bundle", e) < 0)
				return -1;
			r->bundle_out = optarg;
			break;
		case OPT_MANIFEST:
			if (mcp_opt_once(&seen, 2, "manifest", e) < 0)
				return -1;
			r->manifest_out = optarg;
			break;
		case OPT_COMMAND:
			if (mcp_opt_once(&seen, 3, "command", e) < 0)
				return -1;
			r->command = optarg;
			break;
		case OPT_ARG:
			list_add(&r->args, optarg);
			break;
		case OPT_ARCH:
			if (one_of("arch", optarg, arches, &s, e) < 0)
				return -1;
			for (n = 0; n < r->arches.n; n++)
				if (strcmp(r->arches.v[n], s) == 0)
					return mcp_err_set(
					    e, MCP_ERR_USAGE,
					    "option --arch: %s given twice", s);
			list_add(&r->arches, s);
			break;
		case OPT_GIT_SHA:
			if (mcp_opt_once(&seen, 4, "git-sha", e) < 0)
				return -1;
			if (!mcp_gitsha_valid(optarg))
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --git-sha: \"%.80s\" is not 40 "
				    "lowercase hex digits",
				    optarg);
			r->git_sha = optarg;
			break;
		case OPT_DESCRIPTION:
			if (mcp_opt_once(&seen, 5, "description", e) < 0 ||
			    text_arg("description", optarg, &r->description,
			             e) < 0)
				return -1;
			break;
		case OPT_LICENSE:
			if (mcp_opt_once(&seen, 6, "license", e) < 0 ||
			    text_arg("license", optarg, &r->license, e) < 0)
				return -1;
			break;
		case OPT_TRANSPORT:
			if (mcp_opt_once(&seen, 7, "transport", e) < 0 ||
			    one_of("transport", optarg, transports,
			           &r->transport, e) < 0)
				return -1;
			break;
		case OPT_PORT:
			if (mcp_opt_once(&seen, 8, "port", e) < 0 ||
			    pos_arg("port", optarg, 65535, &r->port, e) < 0)
				return -1;
			break;
		case OPT_NETWORK:
			list_add(&r->network, optarg);
			break;
		case OPT_ENV:
			list_add(&r->env, optarg);
			break;
		case OPT_FILESYSTEM:
			list_add(&r->filesystem, optarg);
			break;
		case OPT_SUBPROCESS:
			if (mcp_opt_once(&seen, 9, "subprocess", e) < 0)
				return -1;
			r->subprocess = 1;
			break;
		case OPT_MAX_CPU:
			if (mcp_opt_once(&seen, 10, "max-cpu", e) < 0 ||
			    pos_arg("max-cpu", optarg, 1000000, &r->max_cpu,
			            e) < 0)
				return -1;
			break;
		case OPT_MAX_MEMORY:
			if (mcp_opt_once(&seen, 11, "max-memory", e) < 0)
				return -1;
			if (mcp_size_parse(optarg, &u) < 0)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --max-memory: \"%.80s\" is not "
				    "a size such as 256M",
				    optarg);
			r->max_memory = optarg;
			break;
		case OPT_MAX_PIDS:
			if (mcp_opt_once(&seen, 12, "max-pids", e) < 0 ||
			    pos_arg("max-pids", optarg, 4194304, &r->max_pids,
			            e) < 0)
				return -1;
			break;
		case OPT_MAX_FDS:
			if (mcp_opt_once(&seen, 13, "max-fds", e) < 0 ||
			    pos_arg("max-fds", optarg, 1073741816, &r->max_fds,
			            e) < 0)
				return -1;
			break;
		case OPT_TIMEOUT:
			if (mcp_opt_once(&seen, 14, "timeout", e) < 0)
				return -1;
			if (mcp_duration_parse(optarg, &u) < 0)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --timeout: \"%.80s\" is not a "
				    "duration such as 30m or 1h30m",
				    optarg);
			r->timeout = optarg;
			break;
		case OPT_STATUS:
			if (mcp_opt_once(&seen, 15, "status", e) < 0 ||
			    one_of("status", optarg, statuses, &r->status, e) <
			        0)
				return -1;
			break;
		case OPT_CERT:
			if (mcp_opt_once(&seen, 16, "certification-level", e) <
			        0 ||
			    mcp_opt_uint("certification-level", optarg, 3, &n,
			                 e) < 0)
				return -1;
			r->cert = (long long)n;
			break;
		case OPT_ORIGIN:
			if (mcp_opt_once(&seen, 17, "origin", e) < 0 ||
			    one_of("origin", optarg, origins, &r->origin, e) <
			        0)
				return -1;
			break;
		case OPT_FORCE:
			if (mcp_opt_once(&seen, 18, "force", e) < 0)
				return -1;
			r->force = 1;
			break;
		case OPT_MTIME:
			if (mcp_opt_once(&seen, 19, "mtime", e) < 0 ||
			    mtime_arg("option --mtime", optarg, &r->mtime, e) <
			        0)
				return -1;
			r->mtime_set = 1;
			break;
		case OPT_CONFIG:
			if (r->nconfigs == MCP_CONFIG_MAX_FILES)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --config: more than %d "
				    "files",
				    MCP_CONFIG_MAX_FILES);
			r->configs[r->nconfigs++] = optarg;
			break;
		case 'q':
			if (mcp_opt_once(&seen, 20, "quiet", e) < 0)
				return -1;
			r->quiet = 1;
			break;
		case 'v':
			if (mcp_opt_once(&seen, 21, "verbose", e) < 0)
				return -1;
			r->verbose = 1;
			break;
		default:
			if (optopt == 0 ||
			    (optopt < 256 &&
			     strchr(g.shortopts, optopt) == NULL))
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "unknown option %.80s (see --help)",
				    argv[optind - 1]);
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "option %.80s needs an argument (see "
			    "--help)",
			    argv[optind - 1]);
		}
	}
	if (r->quiet && r->verbose)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "options --quiet and --verbose conflict");
	if (argc - optind != 2)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "expected ORG/NAME@VERSION and DIR (see "
		                   "--help)");
	r->refarg = argv[optind];
	r->dir = argv[optind + 1];
	if (r->registry != NULL &&
	    (r->bundle_out != NULL || r->manifest_out != NULL))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --registry excludes --bundle and "
		                   "--manifest");
	if (r->registry == NULL &&
	    (r->bundle_out == NULL || r->manifest_out == NULL))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "say where the package goes: --registry "
		                   "DIR, or --bundle FILE and --manifest FILE");
	if (r->registry == NULL &&
	    (r->status || r->origin || r->cert >= 0 || r->force))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "options --status, --certification-level, "
		                   "--origin and --force need --registry");
	/* reproducible-builds.org's convention, below the option. */
	s = getenv("SOURCE_DATE_EPOCH");
	if (!r->mtime_set && s != NULL && *s != '\0' &&
	    mtime_arg("SOURCE_DATE_EPOCH", s, &r->mtime, e) < 0)
		return -1;
	if (r->command == NULL)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --command is required (the "
		                   "entrypoint)");
	if (r->port != 0 &&
	    (r->transport == NULL || strcmp(r->transport, "http") != 0))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --port needs --transport http");
	if (r->transport != NULL && strcmp(r->transport, "http") == 0 &&
	    r->port == 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --transport http needs --port");
	return 0;
}

/* The reference: a full semantic version, nothing that resolves. */
static int
parse_ref(struct run *r, struct mcp_err *e)
{
	if (mcp_ref_parse(&r->ref, r->refarg, e) < 0)
		return -1;
	if (r->ref.kind != MCP_REF_VERSION)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "%s: a package is packed as ORG/NAME@VERSION "
		    "with a semantic version, not %s",
		    r->refarg, mcp_ref_kind_name(r->ref.kind));
	return 0;
}

/* The host's architecture, the default for a binary entrypoint. */
static int
host_arch(struct run *r, struct mcp_err *e)
{
	struct utsname u;

	if (uname(&u) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "uname");
	if (strcmp(u.machine, "x86_64") == 0)
		r->host_arch = "amd64";
	else if (strcmp(u.machine, "aarch64") == 0 ||
	         strcmp(u.machine, "arm64") == 0)
		r->host_arch = "arm64";
	else
		r->host_arch = NULL; /* --arch is then required */
	return 0;
}

/* Only verify.interpreters matters here, as in mcp-verify. */
static int
load_config(struct run *r, struct mcp_err *e)
{
	if (mcp_config_load(&r->cfg, r->configs, r->nconfigs, 0, e) < 0)
		return -1;
	r->interpreters = r->cfg.interpreters
	                      ? (const char *const *)r->cfg.interpreters
	                      : mcp_manifest_default_interpreters;
	return 0;
}

static int
is_interpreter(const struct run *r, const char *cmd)
{
	size_t i;

	if (strchr(cmd, '/') != NULL)
		return 0;
	for (i = 0; r->interpreters[i] != NULL; i++)
		if (strcmp(r->interpreters[i], cmd) == 0)
			return 1;
	return 0;
}

static json_t *
str_array(const struct list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		if (json_array_append_new(a, json_string(l->v[i])) < 0)
			mcp_oom();
	return a;
}

static void
set_new(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) < 0)
		mcp_oom();
}

/*
 * The client-format manifest of FORMATS.md, members in the documented
 * order so the same options give the same bytes.  The bundle's digest
 * and size are placeholders until the bundle exists.
 */
static int
build_manifest(struct run *r, struct mcp_err *e)
{
	json_t *m = json_object(), *pkg = json_object(), *o, *eps, *ep;
	const char *arch0;
	size_t i;

	set_new(m, "schema_version", json_string("1"));
	set_new(pkg, "id", json_string(r->ref.pkg));
	set_new(pkg, "version", json_string(r->ref.ref));
	if (r->git_sha)
		set_new(pkg, "git_sha", json_string(r->git_sha));
	if (r->description)
		set_new(pkg, "description", json_string(r->description));
	if (r->license)
		set_new(pkg, "license", json_string(r->license));
	set_new(m, "package", pkg);
	set_new(m, "bundle",
	        json_pack("{s:s, s:i}", "digest",
	                  "sha256:00000000000000000000000000000000"
	                  "00000000000000000000000000000000",
	                  "size_bytes", 1));
	o = json_pack("{s:s}", "type", r->transport ? r->transport : "stdio");
	if (r->port)
		set_new(o, "port", json_integer(r->port));
	set_new(m, "transport", o);

	/* An interpreted entrypoint runs on either architecture; a binary
	 * is built for one, this machine's unless --arch says. */
	if (r->arches.n == 0) {
		if (is_interpreter(r, r->command)) {
			list_add(&r->arches, "amd64");
			list_add(&r->arches, "arm64");
		} else if (r->host_arch != NULL) {
			list_add(&r->arches, r->host_arch);
		} else {
			json_decref(m);
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "this machine is neither amd64 nor "
			                   "arm64: give --arch");
		}
	}
	eps = json_array();
	for (i = 0; i < r->arches.n; i++) {
		ep = json_pack("{s:s, s:s, s:s, s:o}", "os", "linux", "arch",
		               r->arches.v[i], "command", r->command, "args",
		               str_array(&r->args));
		if (ep == NULL || json_array_append_new(eps, ep) < 0) {
			json_decref(eps);
			json_decref(m);
			/* Only invalid UTF-8 makes json_string fail. */
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "options --command and --arg must "
			                   "be valid UTF-8");
		}
	}
	set_new(m, "entrypoints", eps);
	o = json_pack("{s:o, s:o, s:b, s:o}", "network", str_array(&r->network),
	              "environment", str_array(&r->env), "subprocess",
	              r->subprocess, "filesystem", str_array(&r->filesystem));
	set_new(m, "permissions_requested", o);
	if (r->max_cpu || r->max_memory || r->max_pids || r->max_fds ||
	    r->timeout) {
		o = json_object();
		if (r->max_cpu)
			set_new(o, "max_cpu", json_integer(r->max_cpu));
		if (r->max_memory)
			set_new(o, "max_memory", json_string(r->max_memory));
		if (r->max_pids)
			set_new(o, "max_pids", json_integer(r->max_pids));
		if (r->max_fds)
			set_new(o, "max_fds", json_integer(r->max_fds));
		if (r->timeout)
			set_new(o, "timeout", json_string(r->timeout));
		set_new(m, "limits_recommended", o);
	}
	r->manifest = m;

	/* mcp-verify's own validator: what it refuses, we refuse now.  The
	 * values came from our command line, so a failure is a usage
	 * error, named by the manifest member the option fills. */
	arch0 = r->arches.v[0];
	if (mcp_manifest_parse(m, "linux", arch0, r->interpreters, &r->m, e) <
	    0) {
		e->cat = MCP_ERR_USAGE;
		return mcp_err_prefix(e, "manifest: ");
	}
	return 0;
}

static int
scan_tree(struct run *r, struct mcp_err *e)
{
	struct mcp_tree_limits lim;

	mcp_tree_limits_default(&lim);
	if (mcp_tree_scan(&r->tree, r->dir, &lim, e) < 0)
		return -1;
	info(r, "%s: %zu entries, %llu bytes of file data", r->dir, r->tree.n,
	     (unsigned long long)r->tree.bytes);
	return 0;
}

/*
 * The entrypoint must be there: a file of the tree, executable (the
 * only mode bit the bundle keeps), or an interpreter whose script (its
 * first argument, unless an option) is a file of the tree.  Symlinks in
 * the tree are followed as the extracted tree will follow them.
 */
static int
check_entrypoint(struct run *r, struct mcp_err *e)
{
	const struct mcp_tree_entry *en;
	const char *why, *s;
	char *rel;

	if (r->m.command_path != NULL) {
		en = mcp_tree_resolve(&r->tree, r->m.command_path);
		if (en == NULL)
			return mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "%s/%s: the entrypoint command is not "
			    "in the tree",
			    r->dir, r->m.command_path);
		if (en->type != MCP_TREE_FILE)
			return mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "%s/%s: the entrypoint command is not "
			    "a regular file",
			    r->dir, r->m.command_path);
		if (!en->exec)
			return mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "%s/%s: the entrypoint command is not "
			    "executable (chmod +x, or give its "
			    "interpreter as --command)",
			    r->dir, r->m.command_path);
		return 0;
	}
	if (r->args.n == 0)
		return 0;
	s = r->args.v[0];
	if (s[0] == '-' || s[0] == '/')
		return 0;
	rel = mcp_manifest_relpath(s, 0, 1, &why);
	if (rel == NULL)
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "entrypoint argument \"%.256s\": %s", s,
		                   why);
	en = mcp_tree_resolve(&r->tree, rel);
	if (en == NULL || en->type != MCP_TREE_FILE) {
		mcp_err_set(e, MCP_ERR_VERIFY, "%s/%s: the %s script is not %s",
		            r->dir, rel, r->m.interpreter,
		            en == NULL ? "in the tree" : "a regular file");
		free(rel);
		return -1;
	}
	free(rel);
	return 0;
}

/* Where the bundle is written: its final directory, for the rename. */
static char *
bundle_dir(const struct run *r)
{
	const char *slash;

	if (r->registry != NULL)
		return xasprintf("%s/blobs/sha256", r->registry);
	slash = strrchr(r->bundle_out, '/');
	if (slash == NULL)
		return xstrdup(".");
	if (slash == r->bundle_out)
		return xstrdup("/");
	return xstrndup(r->bundle_out, (size_t)(slash - r->bundle_out));
}

/* The bundle, into a temporary file; then the manifest, in memory. */
static int
pack(struct run *r, struct mcp_err *e)
{
	char *dir = bundle_dir(r), *buf;
	struct mcp_digest d;
	json_t *b;
	int ret = -1;

	memset(&d, 0, sizeof(d));
	if ((r->registry != NULL && mcp_mkdir_p(dir, 0755, e) < 0) ||
	    mcp_tmpfile_open(&r->bun_tmp, dir, e) < 0)
		goto out;
	if (mcp_tree_write(&r->tree, r->bun_tmp.fd, r->mtime, r->bundle_digest,
	                   &r->bundle_size, e) < 0)
		goto out;
	if (r->bundle_size > BUNDLE_MAX) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "%s: the bundle is %llu bytes, more than mcp-fetch "
		            "accepts (%llu)",
		            r->dir, (unsigned long long)r->bundle_size,
		            BUNDLE_MAX);
		goto out;
	}
	info(r, "bundle %s (%llu bytes)", r->bundle_digest,
	     (unsigned long long)r->bundle_size);

	b = json_object_get(r->manifest, "bundle");
	set_new(b, "digest", json_string(r->bundle_digest));
	set_new(b, "size_bytes", json_integer((json_int_t)r->bundle_size));
	buf = json_dumps(r->manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (buf == NULL)
		mcp_oom();
	r->manifest_len = strlen(buf);
	r->manifest_buf = xrealloc(buf, r->manifest_len + 2);
	r->manifest_buf[r->manifest_len++] = '\n';
	r->manifest_buf[r->manifest_len] = '\0';
	if (mcp_digest_init(&d, MCP_DIGEST_SHA256, e) < 0)
		goto out;
	mcp_digest_update(&d, r->manifest_buf, r->manifest_len);
	if (mcp_digest_final(&d, r->manifest_digest, e) < 0)
		goto out;
	info(r, "manifest %s (%zu bytes)", r->manifest_digest, r->manifest_len);
	ret = 0;
out:
	mcp_digest_release(&d);
	free(dir);
	return ret;
}

static char *
abs_path(const char *p)
{
	char *rp = realpath(p, NULL);

	return rp ? rp : xstrdup(p);
}

/* Two files of the caller's choice, each replaced atomically. */
static int
publish_files(struct run *r, struct mcp_err *e)
{
	if (mcp_tmpfile_commit(&r->bun_tmp, r->bundle_out, e) < 0 ||
	    mcp_write_atomic(r->manifest_out, r->manifest_buf, r->manifest_len,
	                     e) < 0)
		return -1;
	r->bundle_path = abs_path(r->bundle_out);
	r->manifest_path = abs_path(r->manifest_out);
	return 0;
}

/*
 * The registry: decide under the index lock, then the blobs (named by
 * their digests, so complete whenever they exist), then the index that
 * makes them reachable.
 */
static int
publish_registry(struct run *r, struct mcp_err *e)
{
	struct mcp_index_add a;
	json_t *index = NULL;
	char *blob_b = NULL, *blob_m = NULL;
	int lockfd = -1, ret = -1;

	memset(&a, 0, sizeof(a));
	a.org = r->ref.org;
	a.name = r->ref.name;
	a.version = r->ref.ref;
	a.git_sha = r->git_sha;
	a.status = r->status;
	a.certification_level = (int)r->cert;
	a.origin = r->origin;
	a.manifest_digest = r->manifest_digest;
	a.bundle_digest = r->bundle_digest;
	a.bundle_size = r->bundle_size;
	a.force = r->force;
	if (mcp_index_prepare(r->registry, &a, &lockfd, &index, &r->idx, e) < 0)
		goto out;
	blob_b =
	    xasprintf("%s/blobs/sha256/%s", r->registry, r->bundle_digest + 7);
	blob_m = xasprintf("%s/blobs/sha256/%s", r->registry,
	                   r->manifest_digest + 7);
	if (mcp_tmpfile_commit(&r->bun_tmp, blob_b, e) < 0 ||
	    mcp_write_atomic(blob_m, r->manifest_buf, r->manifest_len, e) < 0)
		goto out;
	ret = mcp_index_write(index, &r->idx, e);
	index = NULL;
	if (ret < 0)
		goto out;
	r->bundle_path = abs_path(blob_b);
	r->manifest_path = abs_path(blob_m);
	info(r, "%s@%s %s in %s", r->ref.pkg, r->ref.ref, r->idx.action,
	     r->idx.index_path);
out:
	json_decref(index);
	if (lockfd >= 0)
		close(lockfd);
	free(blob_b);
	free(blob_m);
	return ret;
}

static int
publish(struct run *r, struct mcp_err *e)
{
	return r->registry ? publish_registry(r, e) : publish_files(r, e);
}

/* The mcp.pack/v1 document (mcp-pack(1), mcp-documents(5)). */
static json_t *
build_doc(struct run *r)
{
	json_t *doc = mcp_doc_new(MCP_KIND_PACK);
	char now[32], *tree = abs_path(r->dir);

	set_new(doc, "ref", json_string(r->refarg));
	set_new(doc, "package", json_string(r->ref.pkg));
	set_new(doc, "version", json_string(r->ref.ref));
	set_new(doc, "git_sha",
	        r->git_sha ? json_string(r->git_sha) : json_null());
	if (r->registry != NULL) {
		char *reg = abs_path(r->registry);
		/* A URL, as in every document's identity members. */
		char *url = xasprintf("file://%s", reg);
		char *index = abs_path(r->idx.index_path);

		set_new(doc, "status", json_string(r->idx.status));
		set_new(doc, "certification_level",
		        json_integer(r->idx.certification_level));
		set_new(doc, "origin", json_string(r->idx.origin));
		set_new(doc, "registry", json_string(url));
		set_new(doc, "index", json_string(index));
		set_new(doc, "action", json_string(r->idx.action));
		free(index);
		free(url);
		free(reg);
	} else {
		set_new(doc, "status", json_null());
		set_new(doc, "certification_level", json_null());
		set_new(doc, "origin", json_null());
		set_new(doc, "registry", json_null());
		set_new(doc, "index", json_null());
		set_new(doc, "action", json_null());
	}
	set_new(doc, "manifest",
	        json_pack("{s:s, s:I, s:s}", "digest", r->manifest_digest,
	                  "size_bytes", (json_int_t)r->manifest_len, "path",
	                  r->manifest_path));
	set_new(doc, "bundle",
	        json_pack("{s:s, s:I, s:s}", "digest", r->bundle_digest,
	                  "size_bytes", (json_int_t)r->bundle_size, "path",
	                  r->bundle_path));
	set_new(doc, "tree",
	        json_pack("{s:s, s:I, s:I, s:I}", "path", tree, "entries",
	                  (json_int_t)r->tree.n, "file_bytes",
	                  (json_int_t)r->tree.bytes, "mtime",
	                  (json_int_t)r->mtime));
	mcp_now_rfc3339(now);
	set_new(doc, "packed_at", json_string(now));
	free(tree);
	return doc;
}

int
main(int argc, char **argv)
{
	struct mcp_err e;
	struct run r;
	json_t *doc = NULL;

	mcp_err_init(&e);
	memset(&r, 0, sizeof(r));
	r.cert = -1;
	mcp_config_init(&r.cfg);
	mcp_manifest_init(&r.m);
	mcp_tree_init(&r.tree);
	mcp_tmpfile_init(&r.bun_tmp);

	if (mcp_std_fds() < 0)
		return MCP_EXIT_RUNTIME;
	/* Names reach libarchive as the bytes they are on disk: with a
	 * UTF-8 LC_CTYPE it stores them unchanged (pax for non-ASCII). */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");

	if (parse_args(&r, argc, argv, &e) < 0 || parse_ref(&r, &e) < 0 ||
	    host_arch(&r, &e) < 0 || load_config(&r, &e) < 0 ||
	    build_manifest(&r, &e) < 0 || scan_tree(&r, &e) < 0 ||
	    check_entrypoint(&r, &e) < 0 || pack(&r, &e) < 0 ||
	    publish(&r, &e) < 0)
		goto out;
	doc = build_doc(&r);
	mcp_doc_write(stdout, doc, &e);
out:
	if (e.cat != MCP_ERR_NONE)
		mcp_err_print(prog, &e);
	mcp_tmpfile_discard(&r.bun_tmp);
	json_decref(doc);
	json_decref(r.manifest);
	free(r.manifest_buf);
	free(r.bundle_path);
	free(r.manifest_path);
	free(r.args.v);
	free(r.arches.v);
	free(r.network.v);
	free(r.env.v);
	free(r.filesystem.v);
	mcp_index_result_release(&r.idx);
	mcp_tree_release(&r.tree);
	mcp_manifest_release(&r.m);
	mcp_config_release(&r.cfg);
	if (fclose(stdout) != 0 && e.cat == MCP_ERR_NONE) {
		mcp_err_sys(&e, MCP_ERR_RUNTIME, "write to stdout failed");
		mcp_err_print(prog, &e);
	}
	return mcp_err_exit(&e);
}
