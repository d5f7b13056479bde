/*
 * mcp-fetch: resolve a package reference against a registry and place its
 * manifest and bundle in the content-addressed cache; print an
 * mcp.fetch/v1 document naming them.
 *
 * The story: parse the reference (a malformed one is refused before any
 * registry or cache access) → load the configuration → find the registry
 * → resolve (from the registry, or from the cache's record when offline or
 * when the reference is an immutable digest) → refuse a revoked or
 * quarantined version unless allowed → for each artifact, re-hash the
 * cached copy or stream it from the registry into the cache, hashing as it
 * arrives → record the resolution → write the document once.
 *
 * Invariant: the document names a cache path only after the bytes there
 * hashed to the digest the registry gave (security invariant 1), and a
 * directory registry never initialises a network library.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "doc.h"
#include "err.h"
#include "io.h"
#include "manage.h"
#include "opts.h"
#include "paths.h"
#include "pins.h"
#include "ref.h"
#include "registry.h"
#include "units.h"
#include "xalloc.h"

static const char prog[] = "mcp-fetch";

enum {
	OPT_REGISTRY = 256,
	OPT_CACHE_DIR,
	OPT_OFFLINE,
	OPT_REFRESH,
	OPT_REHASH,
	OPT_ALLOW_STATUS,
	OPT_CONFIG,
	OPT_CACERT,
	OPT_ALLOW_HTTP,
	OPT_REPIN,
	OPT_ALLOW_DOWNGRADE,
	OPT_MIRROR,
	OPT_LIST,
	OPT_REMOVE,
	OPT_PRUNE_SIZE,
	OPT_PRUNE_AGE,
	OPT_JSON,
	OPT_HELP,
	OPT_VERSION,
};

static const struct mcp_opt options[] = {
    {"registry", required_argument, OPT_REGISTRY, "URL|DIR",
     "registry to resolve against (default: $MCP_REGISTRY, registry.url)"},
    {"cache-dir", required_argument, OPT_CACHE_DIR, "DIR",
     "cache directory (default: $MCP_CACHE_DIR, cache.dir, XDG cache)"},
    {"offline", no_argument, OPT_OFFLINE, NULL,
     "answer from the cache only; never contact the registry"},
    {"refresh", no_argument, OPT_REFRESH, NULL,
     "resolve again even when a digest reference is cached"},
    {"rehash", no_argument, OPT_REHASH, NULL,
     "hash a cached bundle even when its seal holds"},
    {"allow-status", required_argument, OPT_ALLOW_STATUS, "STATUS",
     "accept a revoked or quarantined version (repeatable, or a,b)"},
    {"config", required_argument, OPT_CONFIG, "FILE",
     "read this configuration file after the default ones (repeatable)"},
    {"cacert", required_argument, OPT_CACERT, "FILE",
     "trust the CA certificates in FILE for an https registry"},
    {"allow-http", no_argument, OPT_ALLOW_HTTP, NULL,
     "allow plain http to a registry that is not on loopback"},
    {"repin", no_argument, OPT_REPIN, NULL,
     "accept other digests for a version pinned before"},
    {"allow-downgrade", no_argument, OPT_ALLOW_DOWNGRADE, NULL,
     "accept @latest resolving lower than it did before"},
    {"mirror", required_argument, OPT_MIRROR, "DIR",
     "copy the packages REF... into the directory registry DIR"},
    {"list", no_argument, OPT_LIST, NULL,
     "list the cache's entries, least recently used first"},
    {"remove", required_argument, OPT_REMOVE, "DIGEST|all",
     "remove a blob and its extracted tree (repeatable), or all"},
    {"prune-size", required_argument, OPT_PRUNE_SIZE, "SIZE",
     "remove least recently used entries until the cache fits SIZE"},
    {"prune-age", required_argument, OPT_PRUNE_AGE, "AGE",
     "remove entries not used for AGE (e.g. 30d, 12h)"},
    {"json", no_argument, OPT_JSON, NULL,
     "print --list, --remove and --prune-* results as a JSON document"},
    {"quiet", no_argument, 'q', NULL, "print no warnings and no progress bar"},
    {"verbose", no_argument, 'v', NULL,
     "say where the resolution and each artifact came from"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {"version", no_argument, OPT_VERSION, NULL, "print the version and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const char usage[] =
    "mcp-fetch [OPTION]... ORG/NAME@REF\n"
    "mcp-fetch --mirror DIR [OPTION]... ORG/NAME@REF...\n"
    "mcp-fetch [--cache-dir DIR] [--json] --list\n"
    "mcp-fetch [--cache-dir DIR] [--json] --remove DIGEST|all\n"
    "mcp-fetch [--cache-dir DIR] [--json] [--prune-size SIZE] [--prune-age "
    "AGE]";

static const char summary[] =
    "Resolve a package reference (ORG/NAME@VERSION, @latest, @GIT-SHA or\n"
    "@sha256:DIGEST), place its manifest and bundle in the content-addressed\n"
    "cache after checking their digests, and print an mcp.fetch/v1 document.";

/* Everything one run holds; released at main's out: label. */
struct fetch {
	/* command line */
	const char *registry_flag, *cache_flag, *cacert_flag;
	int allow_http;
	char *config_files[MCP_CONFIG_MAX_FILES];
	size_t nconfig;
	int offline, refresh, quiet, verbose;
	int allow_revoked, allow_quarantined;
	int repin, allow_downgrade;
	const char *mirror_flag;
	char *mirror; /* absolute */
	int list, json, prune;
	const char **removes;
	size_t nremove;
	uint64_t prune_size;   /* bytes, 0: not asked */
	uint64_t prune_age_ms; /* 0: not asked */
	char **refs;           /* borrowed from argv */
	size_t nrefs;

	struct mcp_ref ref;
	char spec[256]; /* the reference as given, re-formatted */
	struct mcp_config cfg;
	int cfg_live;
	const char *registry_spec; /* borrowed from argv or cfg */
	char *registry_url, *registry_dir;
	char *token;                   /* secret */
	struct mcp_registry *registry; /* opened only when needed */
	struct mcp_cache cache;

	struct mcp_resolution res;
	int from_cache; /* resolution came from the cache's record */
	char resolved_at[32];
	char *path[2];
	uint64_t size[2];
	int hit[2];
	struct mcp_pin pin;
};

/* An informational line for -v, escaped like every message. */
static void info(const struct fetch *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
info(const struct fetch *f, const char *fmt, ...)
{
	char raw[MCP_ERR_MSG_MAX], buf[4 * MCP_ERR_MSG_MAX + 1];
	va_list ap;

	if (!f->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, mcp_escape(buf, sizeof(buf), raw));
}

/* --allow-status a,b: each a known status. */
static int
allow_status(struct fetch *f, const char *arg, struct mcp_err *e)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;
	int rc = 0;

	if (*arg == '\0' || arg[strlen(arg) - 1] == ',' || *arg == ',')
		rc = -1;
	for (tok = strtok_r(copy, ",", &save); rc == 0 && tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!mcp_status_valid(tok))
			rc = -1;
		else if (strcmp(tok, "revoked") == 0)
			f->allow_revoked = 1;
		else if (strcmp(tok, "quarantined") == 0)
			f->allow_quarantined = 1;
	}
	free(copy);
	if (rc < 0)
		mcp_err_set(e, MCP_ERR_USAGE,
		            "option --allow-status: \"%.100s\" is not a list "
		            "of statuses (draft, ingested, scanned, published, "
		            "deprecated, quarantined, revoked)",
		            arg);
	return rc;
}

/* --prune-age: a duration ("12h", "90m") or whole days ("30d"). */
static int
parse_age(const char *arg, uint64_t *ms)
{
	char *end;
	unsigned long long d;

	if (*arg >= '0' && *arg <= '9' && arg[strlen(arg) - 1] == 'd') {
		errno = 0;
		d = strtoull(arg, &end, 10);
		if (errno != 0 || *end != 'd' || end[1] != '\0' || d == 0 ||
		    d > 1000000)
			return -1;
		*ms = (uint64_t)d * 86400 * 1000;
		return 0;
	}
	return mcp_duration_parse(arg, ms);
}

static int
parse_args(struct fetch *f, int argc, char **argv, int *done, struct mcp_err *e)
{
	unsigned long long seen = 0;
	struct mcp_getopt g;
	size_t i;
	int c, bit;

	*done = 0;
	mcp_getopt_init(&g, options);
	opterr = 0;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) !=
	       -1) {
		bit = c >= 256 ? c - 256 : c == 'q' ? 40 : 41;
		switch (c) {
		case OPT_HELP:
			mcp_opts_help(stdout, usage, summary, options);
			*done = 1;
			return 0;
		case OPT_VERSION:
			mcp_opts_version(stdout, prog);
			*done = 1;
			return 0;
		case OPT_REGISTRY:
		case OPT_CACHE_DIR:
		case OPT_OFFLINE:
		case OPT_REFRESH:
		case OPT_REHASH:
		case OPT_CACERT:
		case OPT_ALLOW_HTTP:
		case OPT_REPIN:
		case OPT_ALLOW_DOWNGRADE:
		case OPT_MIRROR:
		case OPT_LIST:
		case OPT_PRUNE_SIZE:
		case OPT_PRUNE_AGE:
		case OPT_JSON:
		case 'q':
		case 'v':
			if (mcp_opt_once(&seen, (unsigned)bit,
			                 c == 'q'   ? "quiet"
			                 : c == 'v' ? "verbose"
			                            : options[c - 256].name,
			                 e) < 0)
				return -1;
			if (c == OPT_REGISTRY)
				f->registry_flag = optarg;
			else if (c == OPT_CACHE_DIR)
				f->cache_flag = optarg;
			else if (c == OPT_OFFLINE)
				f->offline = 1;
			else if (c == OPT_REFRESH)
				f->refresh = 1;
			else if (c == OPT_REHASH)
				f->cache.rehash = 1;
			else if (c == OPT_CACERT)
				f->cacert_flag = optarg;
			else if (c == OPT_ALLOW_HTTP)
				f->allow_http = 1;
			else if (c == OPT_REPIN)
				f->repin = 1;
			else if (c == OPT_ALLOW_DOWNGRADE)
				f->allow_downgrade = 1;
			else if (c == OPT_MIRROR)
				f->mirror_flag = optarg;
			else if (c == OPT_LIST)
				f->list = 1;
			else if (c == OPT_JSON)
				f->json = 1;
			else if (c == OPT_PRUNE_SIZE) {
				if (mcp_size_parse(optarg, &f->prune_size) < 0)
					return mcp_err_set(
					    e, MCP_ERR_USAGE,
					    "option --prune-size: \"%.100s\" "
					    "is "
					    "not a size (e.g. 512M, 2G)",
					    optarg);
				f->prune = 1;
			} else if (c == OPT_PRUNE_AGE) {
				if (parse_age(optarg, &f->prune_age_ms) < 0)
					return mcp_err_set(
					    e, MCP_ERR_USAGE,
					    "option --prune-age: \"%.100s\" is "
					    "not an age (e.g. 30d, 12h, 90m)",
					    optarg);
				f->prune = 1;
			} else if (c == 'q')
				f->quiet = 1;
			else
				f->verbose = 1;
			break;
		case OPT_REMOVE:
			if (f->nremove >= 64)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --remove: at most 64 times");
			if (strcmp(optarg, "all") != 0 &&
			    !mcp_digest_valid_sha256(optarg))
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --remove: \"%.100s\" is not "
				    "sha256:HEX or all",
				    optarg);
			if (f->removes == NULL)
				f->removes = xcalloc(64, sizeof(*f->removes));
			f->removes[f->nremove++] = optarg;
			break;
		case OPT_ALLOW_STATUS:
			if (allow_status(f, optarg, e) < 0)
				return -1;
			break;
		case OPT_CONFIG:
			/* Two slots stay for the system and user files. */
			if (f->nconfig >= MCP_CONFIG_MAX_FILES - 2)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --config: at most %d files",
				    MCP_CONFIG_MAX_FILES - 2);
			f->config_files[f->nconfig++] = optarg;
			break;
		default:
			/* getopt reports a missing argument as '?' too, with
			 * optopt set to the option's value. */
			for (i = 0; optopt != 0 && options[i].name != NULL; i++)
				if (options[i].val == optopt)
					return mcp_err_set(
					    e, MCP_ERR_USAGE,
					    "option --%s needs an argument",
					    options[i].name);
			if (optopt > 0 && optopt < 256)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "unknown option -%c (see --help)", optopt);
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "unknown option %.100s (see --help)",
			                   argv[optind - 1]);
		}
	}
	if (f->offline && f->refresh)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "options --offline and --refresh conflict");
	if (f->quiet && f->verbose)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "options --quiet and --verbose conflict");
	/* One mode per run: managing the cache, fetching or mirroring. */
	if (f->list + (f->nremove > 0) + f->prune > 1)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "options --list, --remove and --prune-* "
		                   "conflict");
	if (f->list || f->nremove > 0 || f->prune) {
		if (f->mirror_flag != NULL)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "option --mirror conflicts with "
			                   "--list, --remove and --prune-*");
		if (optind < argc)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "unexpected argument \"%.100s\": cache "
			    "management takes no reference",
			    argv[optind]);
		return 0;
	}
	if (f->json)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --json needs --list, --remove or "
		                   "--prune-*");
	if (f->mirror_flag != NULL && *f->mirror_flag == '\0')
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --mirror: empty value");
	if (optind >= argc)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "missing reference ORG/NAME@REF (see --help)");
	if (argc - optind > 1 && f->mirror_flag == NULL)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "unexpected argument \"%.100s\" after the reference",
		    argv[optind + 1]);
	/* Every reference is checked before any configuration, registry or
	 * cache access. */
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (mcp_ref_parse(&f->ref, argv[i], e) < 0)
			return -1;
	f->refs = argv + optind;
	f->nrefs = (size_t)(argc - optind);
	return 0;
}

/* Configuration, registry identity and the cache directory. */
static int
setup(struct fetch *f, struct mcp_err *e)
{
	const char *reg, *p;
	char *dir = NULL, *cwd = NULL, *abs = NULL;
	int rc = -1;

	/* As mcp-verify's: mcp-run passes its environment to every stage. */
	if ((p = getenv("MCP_VERIFY_REHASH")) != NULL && *p != '\0' &&
	    strcmp(p, "0") != 0)
		f->cache.rehash = 1;
	mcp_config_init(&f->cfg);
	f->cfg_live = 1;
	if (mcp_config_load(&f->cfg, f->config_files, f->nconfig, 0, e) < 0)
		return -1;
	if (f->refs == NULL)
		goto cache; /* cache management needs no registry */
	/* Flags beat the environment, which beats the files; the config
	 * loader already layered the latter two. */
	reg = f->registry_flag ? f->registry_flag : f->cfg.registry;
	if (reg == NULL)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "no registry: give --registry URL|DIR, set MCP_REGISTRY, "
		    "or set registry.url in the configuration");
	if (mcp_registry_canonical(reg, &f->registry_url, &f->registry_dir, e) <
	    0)
		return -1;
	f->registry_spec = reg;
	if (f->mirror_flag != NULL) {
		char *murl = NULL;

		/* The registry's own canonical form: absolute, normalised. */
		if (mcp_registry_canonical(f->mirror_flag, &murl, &f->mirror,
		                           e) < 0)
			return -1;
		free(murl);
		if (f->mirror == NULL)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "option --mirror: %.200s is not a "
			                   "directory",
			                   f->mirror_flag);
		if (f->registry_dir != NULL &&
		    strcmp(f->registry_dir, f->mirror) == 0)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "option --mirror: %s is the registry "
			    "itself",
			    f->mirror);
	}

cache:
	/* mcp_cache_dir() takes an empty flag for "not given". */
	if (f->cache_flag != NULL && *f->cache_flag == '\0')
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --cache-dir: empty value");
	dir = mcp_cache_dir(f->cache_flag, &f->cfg, e);
	if (dir == NULL)
		return -1;
	if (*dir == '\0') {
		mcp_err_set(e, MCP_ERR_USAGE, "cache directory: empty value");
		goto out;
	}
	if (dir[0] != '/') {
		/* Documents carry absolute paths: later stages may run in
		 * another directory. */
		if ((cwd = getcwd(NULL, 0)) == NULL) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "current directory");
			goto out;
		}
		abs = xasprintf("%s/%s", cwd, dir);
	}
	if (mcp_cache_open(&f->cache, abs ? abs : dir, e) < 0)
		goto out;
	rc = 0;
out:
	free(abs);
	free(cwd);
	free(dir);
	return rc;
}

/* -v: each HTTP exchange (registry-http.c strips queries; the token is
 * in a header and never reaches here). */
static void
trace_request(void *arg, const char *url, long status, const char *err)
{
	const struct fetch *f = arg;

	if (err != NULL)
		info(f, "GET %s: %s", url, err);
	else
		info(f, "GET %s: HTTP %ld", url, status);
}

/*
 * The progress bar: one line on stderr, redrawn with \r at most ten times
 * a second, ended with a newline; only when stderr is a terminal and not
 * --quiet.  A sink between the registry and the cache writer, so the
 * bytes counted are the bytes hashed.
 */
struct progress {
	struct mcp_sink sink; /* first */
	struct mcp_sink *inner;
	uint64_t bytes, total;
	struct timespec start, last;
	int shown;
};

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
progress_draw(struct progress *p, int final)
{
	struct timespec now;
	double t, rate, eta;
	char line[160];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && p->shown && since(&p->last, &now) < 0.1)
		return;
	p->last = now;
	t = since(&p->start, &now);
	rate = t > 0.01 ? (double)p->bytes / t : 0;
	eta = rate > 0 && p->total > p->bytes
	          ? (double)(p->total - p->bytes) / rate
	          : 0;
	snprintf(
	    line, sizeof(line),
	    "%s: bundle %7.1f / %.1f MiB %3d%%  %7.1f MiB/s  ETA "
	    "%2d:%02d",
	    prog, (double)p->bytes / 1048576.0, (double)p->total / 1048576.0,
	    p->total ? (int)(100.0 * (double)p->bytes / (double)p->total) : 0,
	    rate / 1048576.0, (int)eta / 60, (int)eta % 60);
	fprintf(stderr, "\r%-78s%s", line, final ? "\n" : "");
	fflush(stderr);
	p->shown = 1;
}

static int
progress_write(struct mcp_sink *s, const void *b, size_t n, struct mcp_err *e)
{
	struct progress *p = (struct progress *)s;

	if (p->inner->write(p->inner, b, n, e) < 0)
		return -1;
	p->bytes += n;
	progress_draw(p, 0);
	return 0;
}

static int
progress_reset(struct mcp_sink *s, struct mcp_err *e)
{
	struct progress *p = (struct progress *)s;

	p->bytes = 0;
	return p->inner->reset(p->inner, e);
}

/* Open the registry on first use: an offline run never does. */
static int
need_registry(struct fetch *f, struct mcp_err *e)
{
	struct mcp_registry_opts o;

	if (f->registry != NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	if (mcp_registry_is_http(f->registry_spec)) {
		o.cacert =
		    f->cacert_flag ? f->cacert_flag : f->cfg.registry_cacert;
		if (o.cacert != NULL && access(o.cacert, R_OK) < 0)
			return mcp_err_sys(e, MCP_ERR_USAGE, "CA file %s",
			                   o.cacert);
		o.allow_http = f->allow_http;
		if (mcp_registry_token_load(f->cfg.registry_token_file,
		                            &f->token, e) < 0)
			return -1;
		o.token = f->token;
		if (f->verbose) {
			o.trace = trace_request;
			o.trace_arg = f;
		}
	}
	return mcp_registry_open(f->registry_spec, &o, &f->registry, e);
}

static int
resolve(struct fetch *f, struct mcp_err *e)
{
	int found = 0;

	/*
	 * A digest names immutable bytes, so its cached resolution stands
	 * until --refresh; a mutable ref is re-resolved unless --offline.
	 */
	if (f->offline || (f->ref.kind == MCP_REF_DIGEST && !f->refresh)) {
		if (mcp_cache_record_load(&f->cache, f->registry_url, &f->ref,
		                          &f->res, f->resolved_at, &found,
		                          e) < 0) {
			if (f->offline)
				return -1;
			if (!f->quiet)
				mcp_warn(prog, "%s (resolving again)", e->msg);
			mcp_err_init(e);
			found = 0;
		}
		if (found && mcp_resolution_check(&f->res, &f->ref,
		                                  "cached resolution", e) < 0)
			return -1;
		if (found) {
			f->from_cache = 1;
			info(f,
			     "%s: resolved from the cache to %s (%s), recorded "
			     "%s%s",
			     f->spec, f->res.version, f->res.status,
			     f->resolved_at,
			     f->offline ? "; offline, registry not contacted"
			                : "");
			return 0;
		}
		if (f->offline)
			return mcp_err_set(e, MCP_ERR_FETCH,
			                   "%s: no cached resolution for "
			                   "registry %s (offline)",
			                   f->spec, f->registry_url);
	}
	if (need_registry(f, e) < 0)
		return -1;
	if (f->registry->ops->resolve(f->registry, &f->ref, &f->res, e) < 0)
		return -1;
	if (mcp_resolution_check(&f->res, &f->ref, f->registry_url, e) < 0)
		return -1;
	mcp_now_rfc3339(f->resolved_at);
	info(f, "%s: resolved to %s (%s) by %s", f->spec, f->res.version,
	     f->res.status, f->registry_url);
	return 0;
}

/*
 * Judge the resolution before any byte is fetched: the bundle's declared
 * size against the cap, and the status.  revoked and quarantined are
 * refused here; the other statuses travel in the document for mcp-policy.
 */
static int
check_resolution(struct fetch *f, struct mcp_err *e)
{
	const char *s = f->res.status;

	if (f->res.bundle_size > MCP_FETCH_BUNDLE_MAX)
		return mcp_err_set(
		    e, MCP_ERR_FETCH,
		    "%s: bundle %s: size %llu bytes is over the cap of %llu",
		    f->spec, f->res.bundle_digest,
		    (unsigned long long)f->res.bundle_size,
		    (unsigned long long)MCP_FETCH_BUNDLE_MAX);

	if ((strcmp(s, "revoked") == 0 && !f->allow_revoked) ||
	    (strcmp(s, "quarantined") == 0 && !f->allow_quarantined))
		return mcp_err_set(e, MCP_ERR_DENIED,
		                   "%s: version %s is %s (use --allow-status "
		                   "%s to fetch it anyway)",
		                   f->spec, f->res.version, s, s);
	if (strcmp(s, "revoked") == 0 || strcmp(s, "quarantined") == 0) {
		if (!f->quiet)
			mcp_warn(
			    prog,
			    "%s: version %s is %s (allowed by --allow-status)",
			    f->spec, f->res.version, s);
	}
	return 0;
}

/*
 * Trust on first use: before any byte is fetched, and again (under the
 * package's lock, recording the answer) once both artifacts are in the
 * cache.  The first check spares a download that would be refused.
 */
static int
pin(struct fetch *f, int commit, struct mcp_err *e)
{
	if (mcp_pins_apply(&f->cache, &f->ref, &f->res, f->repin,
	                   f->allow_downgrade, commit, &f->pin, e) < 0)
		return -1;
	if (commit && !f->quiet) {
		if (f->pin.state == MCP_PIN_REPINNED)
			mcp_warn(prog,
			         "%s: version %s repinned: manifest %s and "
			         "bundle %s replace %s and %s (--repin)",
			         f->spec, f->res.version,
			         f->res.manifest_digest, f->res.bundle_digest,
			         f->pin.prev_manifest, f->pin.prev_bundle);
		if (f->pin.prev_version[0] != '\0')
			mcp_warn(prog,
			         "%s: resolved to %s, lower than %s resolved "
			         "before (--allow-downgrade)",
			         f->spec, f->res.version, f->pin.prev_version);
	}
	if (commit)
		info(f, "%s: pin %s", f->spec,
		     mcp_pin_state_name(f->pin.state));
	return 0;
}

static int
get_artifact(struct fetch *f, enum mcp_artifact which, struct mcp_err *e)
{
	const char *what = mcp_artifact_name(which);
	const char *digest = which == MCP_ARTIFACT_MANIFEST
	                         ? f->res.manifest_digest
	                         : f->res.bundle_digest;
	uint64_t want = which == MCP_ARTIFACT_BUNDLE ? f->res.bundle_size : 0;
	uint64_t cap = which == MCP_ARTIFACT_MANIFEST ? MCP_FETCH_MANIFEST_MAX
	                                              : MCP_FETCH_BUNDLE_MAX;
	struct mcp_cache_writer w;
	struct progress pg;
	struct mcp_sink *sink = &w.sink;
	enum mcp_cache_state state;
	int rc;
	char why[MCP_DIGEST_STR_MAX + 64];

	if (mcp_cache_lookup(&f->cache, digest, want, &state, &f->path[which],
	                     &f->size[which], why, sizeof(why), e) < 0)
		return -1;
	if (state == MCP_CACHE_HIT || state == MCP_CACHE_SEALED) {
		f->hit[which] = 1;
		info(f, "%s %s: cache hit, %s: %s", what, digest,
		     state == MCP_CACHE_HIT ? "re-hashed" : "its seal holds",
		     f->path[which]);
		return 0;
	}
	if (state == MCP_CACHE_REMOVED && !f->quiet)
		mcp_warn(prog, "%s: cached %s was corrupt (%s); removed it",
		         f->path[which], what, why);
	if (f->offline)
		return mcp_err_set(e, MCP_ERR_FETCH,
		                   "%s: %s %s is not in the cache (offline)",
		                   f->spec, what, digest);
	if (need_registry(f, e) < 0)
		return -1;
	if (mcp_cache_writer_begin(&f->cache, &w, what, digest, cap, want, e) <
	    0)
		return -1;
	if (which == MCP_ARTIFACT_BUNDLE && !f->quiet && isatty(2)) {
		memset(&pg, 0, sizeof(pg));
		pg.sink.write = progress_write;
		pg.sink.reset = progress_reset;
		pg.inner = &w.sink;
		pg.total = want;
		clock_gettime(CLOCK_MONOTONIC, &pg.start);
		sink = &pg.sink;
	}
	rc = f->registry->ops->fetch(f->registry, &f->ref, &f->res, which, sink,
	                             e);
	if (sink != &w.sink && pg.shown)
		progress_draw(&pg, 1); /* the last state, and the newline */
	if (rc < 0) {
		mcp_cache_writer_abort(&w);
		return -1;
	}
	f->size[which] = w.bytes;
	if (mcp_cache_writer_commit(&w, e) < 0)
		return -1;
	mcp_cache_writer_abort(&w); /* frees the path copy; nothing to remove */
	info(f, "%s %s: fetched %llu bytes into %s", what, digest,
	     (unsigned long long)f->size[which], f->path[which]);
	return 0;
}

static int
record(struct fetch *f, struct mcp_err *e)
{
	struct mcp_err we;

	if (f->from_cache)
		return 0;
	/* The fetch itself succeeded; a failed record only costs a later
	 * --offline run its answer. */
	mcp_err_init(&we);
	if (mcp_cache_record_store(&f->cache, f->registry_url, &f->ref, &f->res,
	                           f->resolved_at, &we) < 0 &&
	    !f->quiet)
		mcp_warn(prog, "cannot record the resolution: %s", we.msg);
	(void)e;
	return 0;
}

static json_t *
artifact_json(const char *digest, uint64_t size, const char *path)
{
	json_t *a = json_object();

	if (a == NULL)
		mcp_oom();
	json_object_set_new(a, "digest", json_string(digest));
	json_object_set_new(a, "size_bytes", json_integer((json_int_t)size));
	json_object_set_new(a, "path", json_string(path));
	return a;
}

static json_t *
build_doc(const struct fetch *f)
{
	char now[32];
	json_t *d = mcp_doc_new(MCP_KIND_FETCH);

	mcp_now_rfc3339(now);
	json_object_set_new(d, "ref", json_string(f->spec));
	json_object_set_new(d, "package", json_string(f->res.package));
	json_object_set_new(d, "version", json_string(f->res.version));
	json_object_set_new(d, "git_sha",
	                    f->res.git_sha[0] ? json_string(f->res.git_sha)
	                                      : json_null());
	json_object_set_new(d, "status", json_string(f->res.status));
	json_object_set_new(d, "certification_level",
	                    json_integer(f->res.certification_level));
	json_object_set_new(d, "origin", json_string(f->res.origin));
	json_object_set_new(d, "registry", json_string(f->registry_url));
	json_object_set_new(d, "manifest",
	                    artifact_json(f->res.manifest_digest,
	                                  f->size[MCP_ARTIFACT_MANIFEST],
	                                  f->path[MCP_ARTIFACT_MANIFEST]));
	json_object_set_new(d, "bundle",
	                    artifact_json(f->res.bundle_digest,
	                                  f->size[MCP_ARTIFACT_BUNDLE],
	                                  f->path[MCP_ARTIFACT_BUNDLE]));
	json_object_set_new(d, "cache_hit",
	                    json_boolean(f->hit[MCP_ARTIFACT_MANIFEST] &&
	                                 f->hit[MCP_ARTIFACT_BUNDLE]));
	json_object_set_new(d, "resolved_from",
	                    json_string(f->from_cache ? "cache" : "registry"));
	json_object_set_new(d, "pin", mcp_pin_json(&f->pin));
	json_object_set_new(d, "resolved_at", json_string(f->resolved_at));
	json_object_set_new(d, "fetched_at", json_string(now));
	return d;
}

/* --- mirroring ------------------------------------------------------ */

/*
 * Copy the cached blob SRC into the mirror as DIR/blobs/sha256/HEX,
 * hashing it again on the way (the cache is not a trust anchor), through
 * a temporary file and rename(2).  A blob already there with the right
 * bytes is kept: a digest names immutable bytes.
 */
static int
mirror_blob(struct fetch *f, const char *src, const char *digest,
            struct mcp_err *e)
{
	char *dir = xasprintf("%s/blobs/sha256", f->mirror);
	char *dst = xasprintf("%s/%s", dir, digest + 7), *tmp = NULL;
	char got[MCP_DIGEST_STR_MAX], buf[65536];
	struct mcp_digest md;
	uint64_t n;
	ssize_t r;
	int in = -1, out = -1, md_live = 0, rc = -1;

	in = open(dst, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (in >= 0) {
		if (mcp_digest_fd(in, MCP_DIGEST_SHA256, dst, got, &n, e) < 0)
			goto out;
		close(in);
		in = -1;
		if (strcmp(got, digest) == 0) {
			rc = 0;
			goto out;
		}
		if (!f->quiet)
			mcp_warn(prog, "%s: hashes to %s; replacing it", dst,
			         got);
	}
	if (mcp_mkdir_p(dir, 0755, e) < 0)
		goto out;
	in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", src);
		goto out;
	}
	tmp = xasprintf("%s/.tmp-XXXXXX", dir);
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "create %s", tmp);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (mcp_digest_init(&md, MCP_DIGEST_SHA256, e) < 0)
		goto out;
	md_live = 1;
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			mcp_err_sys(e, MCP_ERR_RUNTIME, "read %s", src);
			goto out;
		}
		mcp_digest_update(&md, buf, (size_t)r);
		if (mcp_write_all(out, buf, (size_t)r) < 0) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "write %s", tmp);
			goto out;
		}
	}
	md_live = 0;
	if (mcp_digest_final(&md, got, e) < 0)
		goto out;
	if (strcmp(got, digest) != 0) {
		mcp_err_set(e, MCP_ERR_VERIFY,
		            "%s: changed while copied (hashes to %s, expected "
		            "%s)",
		            src, got, digest);
		goto out;
	}
	if (fchmod(out, 0644) < 0 || fsync(out) < 0 || close(out) < 0) {
		out = -1;
		mcp_err_sys(e, MCP_ERR_RUNTIME, "write %s", tmp);
		goto out;
	}
	out = -1;
	if (rename(tmp, dst) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "rename into %s", dst);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (md_live)
		mcp_digest_release(&md);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dst);
	free(dir);
	return rc;
}

/*
 * Merge the resolution into DIR/packages/ORG/NAME.json under a lock: a
 * version already mirrored keeps its digests (a mirror never changes what
 * a version is, unless --repin); its status and metadata follow the
 * registry (a version may be revoked after it was mirrored).
 */
static int
mirror_index(struct fetch *f, struct mcp_err *e)
{
	const struct mcp_resolution *r = &f->res;
	char *dir = xasprintf("%s/packages/%s", f->mirror, f->ref.org);
	char *path = xasprintf("%s/%s.json", dir, f->ref.name);
	char *lock = xasprintf("%s/.%s.lock", dir, f->ref.name);
	json_t *idx = NULL, *versions, *old;
	const char *om, *ob;
	char *text = NULL;
	int lfd = -1, fd, rc = -1;

	if (mcp_mkdir_p(dir, 0755, e) < 0)
		goto out;
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (lfd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "mirror lock %s", lock);
		goto out;
	}
	while (flock(lfd, LOCK_EX) < 0)
		if (errno != EINTR) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "lock %s", lock);
			goto out;
		}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd >= 0) {
		idx = mcp_json_load_fd(fd, path, MCP_FETCH_INDEX_MAX,
		                       MCP_ERR_RUNTIME, e);
		close(fd);
		if (idx == NULL)
			goto out;
		if (!json_is_object(idx) ||
		    !json_is_object(json_object_get(idx, "versions")) ||
		    mcp_doc_str(idx, "package") == NULL ||
		    strcmp(mcp_doc_str(idx, "package"), r->package) != 0) {
			mcp_err_set(e, MCP_ERR_RUNTIME,
			            "mirror index %s: not the index of %s",
			            path, r->package);
			goto out;
		}
	} else if (errno != ENOENT) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "mirror index %s", path);
		goto out;
	} else {
		idx = json_object();
		json_object_set_new(idx, "package", json_string(r->package));
		json_object_set_new(idx, "versions", json_object());
	}
	versions = json_object_get(idx, "versions");
	old = json_object_get(versions, r->version);
	if (old != NULL && !f->repin) {
		om = mcp_doc_str(old, "manifest_digest");
		ob = mcp_doc_str(old, "bundle_digest");
		if (om == NULL || ob == NULL ||
		    strcmp(om, r->manifest_digest) != 0 ||
		    strcmp(ob, r->bundle_digest) != 0) {
			mcp_err_set(e, MCP_ERR_VERIFY,
			            "mirror %s: %s %s holds manifest %s and "
			            "bundle %s, not %s and %s (use --repin to "
			            "replace them)",
			            f->mirror, r->package, r->version,
			            om ? om : "(none)", ob ? ob : "(none)",
			            r->manifest_digest, r->bundle_digest);
			goto out;
		}
	}
	json_object_set_new(idx, "origin", json_string(r->origin));
	json_object_set_new(versions, r->version, mcp_resolution_to_json(r));
	text = json_dumps(idx, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL)
		mcp_oom();
	if (mcp_cache_write_atomic(path, text, 0644, e) < 0)
		goto out;
	rc = 0;
out:
	if (lfd >= 0)
		close(lfd);
	free(text);
	json_decref(idx);
	free(lock);
	free(path);
	free(dir);
	return rc;
}

static int
mirror_put(struct fetch *f, struct mcp_err *e)
{
	/* Blobs before the index: a client never reads an index entry whose
	 * blobs are not there yet. */
	if (mirror_blob(f, f->path[MCP_ARTIFACT_MANIFEST],
	                f->res.manifest_digest, e) < 0 ||
	    mirror_blob(f, f->path[MCP_ARTIFACT_BUNDLE], f->res.bundle_digest,
	                e) < 0 ||
	    mirror_index(f, e) < 0)
		return mcp_err_prefix(e, "%s: ", f->spec);
	info(f, "%s: mirrored %s into %s", f->spec, f->res.version, f->mirror);
	return 0;
}

/* --- cache management ------------------------------------------------ */

static json_t *
entry_json(const struct mcp_cache_entry *v)
{
	char t[32];
	struct tm tm;
	json_t *j = json_object();

	if (j == NULL)
		mcp_oom();
	gmtime_r(&v->last_used, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(j, "digest", json_string(v->digest));
	json_object_set_new(j, "size_bytes", json_integer((json_int_t)v->size));
	json_object_set_new(j, "tree", json_boolean(v->has_tree));
	json_object_set_new(j, "tree_bytes",
	                    json_integer((json_int_t)v->tree_bytes));
	json_object_set_new(j, "last_used", json_string(t));
	return j;
}

static void
entry_line(FILE *out, const struct mcp_cache_entry *v, const char *verb)
{
	char t[32];
	struct tm tm;

	gmtime_r(&v->last_used, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "%s%s  %12llu  %s%s\n", verb, v->digest,
	        (unsigned long long)(v->size + v->tree_bytes), t,
	        v->has_tree ? "  tree" : "");
}

/*
 * --list, --remove, --prune-*: the human form is one line per entry
 * (DIGEST BYTES LAST-USED [tree]) and a total; --json makes it one
 * mcp.fetch-cache/v1 document.
 */
static int
manage(struct fetch *f, json_t **doc, struct mcp_err *e)
{
	struct mcp_cache_entry *v = NULL;
	size_t n = 0, i, k, nout = 0, removed;
	uint64_t total = 0, kept = 0, freed = 0, used;
	time_t now = time(NULL);
	json_t *arr = json_array();
	int found, rc = -1, drop;
	const char *key = f->list ? "entries" : "removed";

	if (f->nremove > 0) {
		for (i = 0; i < f->nremove; i++) {
			if (strcmp(f->removes[i], "all") == 0) {
				/* Name what is about to go, for --json. */
				if (mcp_cache_entries(&f->cache, &v, &n, e) < 0)
					goto out;
				for (k = 0; k < n; k++)
					json_array_append_new(
					    arr, json_string(v[k].digest));
				free(v);
				v = NULL;
				n = 0;
				if (mcp_cache_remove_all(&f->cache, &removed,
				                         e) < 0)
					goto out;
				nout += removed;
				if (!f->json)
					printf("removed %zu entries\n",
					       removed);
				continue;
			}
			if (mcp_cache_remove(&f->cache, f->removes[i], &found,
			                     e) < 0)
				goto out;
			if (!found) {
				mcp_err_set(e, MCP_ERR_FETCH,
				            "%s: not in the cache %s",
				            f->removes[i], f->cache.dir);
				goto out;
			}
			nout++;
			json_array_append_new(arr, json_string(f->removes[i]));
			if (!f->json)
				printf("removed %s\n", f->removes[i]);
		}
		goto done;
	}
	if (mcp_cache_entries(&f->cache, &v, &n, e) < 0)
		goto out;
	for (i = 0; i < n; i++)
		total += v[i].size + v[i].tree_bytes;
	if (f->list) {
		for (i = 0; i < n; i++) {
			if (f->json)
				json_array_append_new(arr, entry_json(&v[i]));
			else
				entry_line(stdout, &v[i], "");
		}
		kept = total;
		if (!f->json)
			printf("%zu entries, %llu bytes in %s\n", n,
			       (unsigned long long)total, f->cache.dir);
		goto done;
	}
	/* Prune: oldest first (the array is sorted by last use); an entry
	 * goes when it is too old or while the cache is over the size. */
	kept = total;
	for (i = 0; i < n; i++) {
		used = v[i].size + v[i].tree_bytes;
		drop = (f->prune_age_ms != 0 &&
		        (uint64_t)(now > v[i].last_used ? now - v[i].last_used
		                                        : 0) *
		                1000 >=
		            f->prune_age_ms) ||
		       (f->prune_size != 0 && kept > f->prune_size);
		if (!drop)
			continue;
		if (mcp_cache_remove(&f->cache, v[i].digest, &found, e) < 0)
			goto out;
		kept -= used;
		freed += used;
		nout++;
		if (f->json)
			json_array_append_new(arr, entry_json(&v[i]));
		else
			entry_line(stdout, &v[i], "removed ");
	}
	(void)mcp_cache_clean_tmp(&f->cache);
	if (!f->json)
		printf("removed %zu entries (%llu bytes); %llu bytes left in "
		       "%s\n",
		       nout, (unsigned long long)freed,
		       (unsigned long long)kept, f->cache.dir);
done:
	if (f->json) {
		*doc = mcp_doc_new("mcp.fetch-cache/v1");
		json_object_set_new(*doc, "cache_dir",
		                    json_string(f->cache.dir));
		json_object_set_new(*doc, "action",
		                    json_string(f->list          ? "list"
		                                : f->nremove > 0 ? "remove"
		                                                 : "prune"));
		json_object_set_new(*doc, key, arr);
		arr = NULL;
		json_object_set_new(
		    *doc, "count",
		    json_integer((json_int_t)(f->list ? n : nout)));
		if (f->nremove == 0)
			json_object_set_new(*doc, "total_bytes",
			                    json_integer((json_int_t)kept));
		if (f->prune)
			json_object_set_new(*doc, "freed_bytes",
			                    json_integer((json_int_t)freed));
	}
	rc = 0;
out:
	json_decref(arr);
	free(v);
	return rc;
}

/* --- one reference --------------------------------------------------- */

static void
reset_ref(struct fetch *f)
{
	free(f->path[0]);
	free(f->path[1]);
	memset(&f->res, 0, sizeof(f->res));
	memset(&f->pin, 0, sizeof(f->pin));
	f->from_cache = 0;
	f->resolved_at[0] = '\0';
	f->path[0] = f->path[1] = NULL;
	f->size[0] = f->size[1] = 0;
	f->hit[0] = f->hit[1] = 0;
}

static json_t *
fetch_one(struct fetch *f, const char *arg, struct mcp_err *e)
{
	reset_ref(f);
	if (mcp_ref_parse(&f->ref, arg, e) < 0)
		return NULL;
	mcp_ref_format(&f->ref, f->spec, sizeof(f->spec));
	if (resolve(f, e) < 0 || check_resolution(f, e) < 0 ||
	    pin(f, 0, e) < 0 || get_artifact(f, MCP_ARTIFACT_MANIFEST, e) < 0 ||
	    get_artifact(f, MCP_ARTIFACT_BUNDLE, e) < 0 || pin(f, 1, e) < 0 ||
	    record(f, e) < 0)
		return NULL;
	if (f->mirror != NULL && mirror_put(f, e) < 0)
		return NULL;
	return build_doc(f);
}

int
main(int argc, char **argv)
{
	struct fetch f;
	struct mcp_err e;
	json_t *doc = NULL, *one, *all = NULL;
	size_t i;
	int done, code;

	mcp_err_init(&e);
	memset(&f, 0, sizeof(f));
	if (mcp_std_fds() < 0)
		return MCP_EXIT_RUNTIME;
	if (parse_args(&f, argc, argv, &done, &e) < 0 || done)
		goto out;
	if (setup(&f, &e) < 0)
		goto out;
	if (f.refs == NULL) {
		if (manage(&f, &doc, &e) < 0)
			goto out;
	} else {
		if (mcp_cache_signals_install(&e) < 0)
			goto out;
		if (f.mirror != NULL)
			all = json_array();
		for (i = 0; i < f.nrefs; i++) {
			if ((one = fetch_one(&f, f.refs[i], &e)) == NULL)
				goto out;
			if (all == NULL)
				doc = one;
			else
				json_array_append_new(all, one);
		}
		if (all != NULL) {
			doc = mcp_doc_new("mcp.fetch-mirror/v1");
			json_object_set_new(doc, "mirror",
			                    json_string(f.mirror));
			json_object_set_new(doc, "packages", all);
			all = NULL;
		}
	}
	if (doc != NULL && mcp_doc_write(stdout, doc, &e) < 0)
		goto out;
	if (fclose(stdout) == EOF)
		mcp_err_sys(&e, MCP_ERR_RUNTIME, "write to stdout failed");
out:
	code = mcp_err_exit(&e);
	if (code != MCP_EXIT_OK)
		mcp_err_print(prog, &e);
	if (done && (fflush(stdout) == EOF || ferror(stdout))) {
		fprintf(stderr, "%s: write to stdout failed\n", prog);
		code = MCP_EXIT_RUNTIME;
	}
	json_decref(all);
	json_decref(doc);
	free(f.path[0]);
	free(f.path[1]);
	free(f.removes);
	free(f.mirror);
	mcp_registry_free(f.registry);
	mcp_cache_release(&f.cache);
	mcp_free_secret(f.token);
	free(f.registry_url);
	free(f.registry_dir);
	if (f.cfg_live)
		mcp_config_release(&f.cfg);
	return code;
}
