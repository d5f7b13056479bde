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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "doc.h"
#include "err.h"
#include "opts.h"
#include "paths.h"
#include "ref.h"
#include "registry.h"
#include "xalloc.h"

static const char prog[] = "mcp-fetch";

enum {
	OPT_REGISTRY = 256,
	OPT_CACHE_DIR,
	OPT_OFFLINE,
	OPT_REFRESH,
	OPT_ALLOW_STATUS,
	OPT_CONFIG,
	OPT_CACERT,
	OPT_ALLOW_HTTP,
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
    {"allow-status", required_argument, OPT_ALLOW_STATUS, "STATUS",
     "accept a revoked or quarantined version (repeatable, or a,b)"},
    {"config", required_argument, OPT_CONFIG, "FILE",
     "read this configuration file after the default ones (repeatable)"},
    {"cacert", required_argument, OPT_CACERT, "FILE",
     "trust the CA certificates in FILE for an https registry"},
    {"allow-http", no_argument, OPT_ALLOW_HTTP, NULL,
     "allow plain http to a registry that is not on loopback"},
    {"quiet", no_argument, 'q', NULL, "print no warnings"},
    {"verbose", no_argument, 'v', NULL,
     "say where the resolution and each artifact came from"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {"version", no_argument, OPT_VERSION, NULL, "print the version and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const char usage[] = "mcp-fetch [OPTION]... ORG/NAME@REF";

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
		case OPT_CACERT:
		case OPT_ALLOW_HTTP:
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
			else if (c == OPT_CACERT)
				f->cacert_flag = optarg;
			else if (c == OPT_ALLOW_HTTP)
				f->allow_http = 1;
			else if (c == 'q')
				f->quiet = 1;
			else
				f->verbose = 1;
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
	if (optind >= argc)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "missing reference ORG/NAME@REF (see --help)");
	if (argc - optind > 1)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "unexpected argument \"%.100s\" after the reference",
		    argv[optind + 1]);
	/* Before any configuration, registry or cache access. */
	if (mcp_ref_parse(&f->ref, argv[optind], e) < 0)
		return -1;
	mcp_ref_format(&f->ref, f->spec, sizeof(f->spec));
	return 0;
}

/* Configuration, registry identity and the cache directory. */
static int
setup(struct fetch *f, struct mcp_err *e)
{
	const char *reg;
	char *dir = NULL, *cwd = NULL, *abs = NULL;
	int rc = -1;

	mcp_config_init(&f->cfg);
	f->cfg_live = 1;
	if (mcp_config_load(&f->cfg, f->config_files, f->nconfig, 0, e) < 0)
		return -1;
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
	enum mcp_cache_state state;
	char why[MCP_DIGEST_STR_MAX + 64];

	if (mcp_cache_lookup(&f->cache, digest, want, &state, &f->path[which],
	                     &f->size[which], why, sizeof(why), e) < 0)
		return -1;
	if (state == MCP_CACHE_HIT) {
		f->hit[which] = 1;
		info(f, "%s %s: cache hit, re-hashed: %s", what, digest,
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
	if (f->registry->ops->fetch(f->registry, &f->ref, &f->res, which,
	                            &w.sink, e) < 0) {
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
	json_object_set_new(d, "resolved_at", json_string(f->resolved_at));
	json_object_set_new(d, "fetched_at", json_string(now));
	return d;
}

int
main(int argc, char **argv)
{
	struct fetch f;
	struct mcp_err e;
	json_t *doc = NULL;
	int done, code;

	mcp_err_init(&e);
	memset(&f, 0, sizeof(f));
	if (mcp_std_fds() < 0)
		return MCP_EXIT_RUNTIME;
	if (parse_args(&f, argc, argv, &done, &e) < 0 || done)
		goto out;
	if (setup(&f, &e) < 0 || mcp_cache_signals_install(&e) < 0 ||
	    resolve(&f, &e) < 0 || check_resolution(&f, &e) < 0 ||
	    get_artifact(&f, MCP_ARTIFACT_MANIFEST, &e) < 0 ||
	    get_artifact(&f, MCP_ARTIFACT_BUNDLE, &e) < 0 || record(&f, &e) < 0)
		goto out;
	doc = build_doc(&f);
	if (mcp_doc_write(stdout, doc, &e) < 0)
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
	json_decref(doc);
	free(f.path[0]);
	free(f.path[1]);
	mcp_registry_free(f.registry);
	mcp_cache_release(&f.cache);
	mcp_free_secret(f.token);
	free(f.registry_url);
	free(f.registry_dir);
	if (f.cfg_live)
		mcp_config_release(&f.cfg);
	return code;
}
