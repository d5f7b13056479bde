/*
 * mcp-verify: check a fetched package's digests, validate its manifest,
 * extract its bundle safely, and describe the result as an
 * mcp.verified/v1 document (mcp-verify(1)).
 *
 * The story: read the fetch document (or the standalone options), open
 * each artifact once, hash what was opened and compare with the expected
 * digest and size, and only then parse the manifest (from the very bytes
 * that were hashed) and extract the bundle (from the same descriptor,
 * hashing again what libarchive reads).  No path is opened twice between
 * being verified and being used (DESIGN.md, security invariant 1).
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "digest.h"
#include "doc.h"
#include "err.h"
#include "extract.h"
#include "io.h"
#include "manifest.h"
#include "opts.h"
#include "paths.h"
#include "seal.h"
#include "units.h"
#include "xalloc.h"

static const char prog[] = "mcp-verify";

enum {
	OPT_CACHE_DIR = 256,
	OPT_CONFIG,
	OPT_MANIFEST,
	OPT_BUNDLE,
	OPT_BUNDLE_DIGEST,
	OPT_MANIFEST_DIGEST,
	OPT_MAX_BYTES,
	OPT_MAX_ENTRIES,
	OPT_REHASH,
	OPT_HELP,
	OPT_VERSION,
};

static const struct mcp_opt options[] = {
    {"cache-dir", required_argument, OPT_CACHE_DIR, "DIR",
     "cache directory holding the extracted trees"},
    {"config", required_argument, OPT_CONFIG, "FILE",
     "read FILE after the default configuration files"},
    {"manifest", required_argument, OPT_MANIFEST, "FILE",
     "standalone: verify this manifest (with --bundle)"},
    {"bundle", required_argument, OPT_BUNDLE, "FILE",
     "standalone: verify and extract this bundle (with --manifest)"},
    {"bundle-digest", required_argument, OPT_BUNDLE_DIGEST, "DIGEST",
     "standalone: the bundle must have this sha256 digest"},
    {"manifest-digest", required_argument, OPT_MANIFEST_DIGEST, "DIGEST",
     "standalone: the manifest must have this sha256 digest"},
    {"max-bytes", required_argument, OPT_MAX_BYTES, "SIZE",
     "extract at most SIZE bytes of file data (default 1G)"},
    {"max-entries", required_argument, OPT_MAX_ENTRIES, "N",
     "extract at most N archive entries (default 200000)"},
    {"rehash", no_argument, OPT_REHASH, NULL,
     "hash every file of a cached tree, even when its seal holds"},
    {"quiet", no_argument, 'q', NULL, "print no warnings"},
    {"verbose", no_argument, 'v', NULL, "report progress on stderr"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {"version", no_argument, OPT_VERSION, NULL, "print the version and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const char usage[] =
    "mcp-verify [--cache-dir DIR] [--config FILE] [-q] [-v] [FETCH-DOC|-]\n"
    "mcp-verify [--cache-dir DIR] --manifest FILE --bundle FILE "
    "[--bundle-digest D] [--manifest-digest D]\n";

static const char summary[] =
    "Check the digests of a fetched MCP package, validate its manifest and\n"
    "extract its bundle into a read-only tree; write an mcp.verified/v1\n"
    "document on stdout.";

/* Upper bound of --max-entries: the entry table is kept in memory. */
#define MAX_ENTRIES_CEILING 10000000ull

/* Interpreters are looked up here, never in the caller's PATH. */
static const char *const interp_dirs[] = {"/usr/local/bin", "/usr/bin", "/bin",
                                          NULL};

/* Identity members copied forward from the fetch document. */
static const char *const identity[] = {
    "ref",    "package",  "version", "git_sha", "status", "certification_level",
    "origin", "registry", NULL};

/* One artifact: where it is, what it must be, what it was. */
struct artifact {
	const char *label;     /* "manifest" or "bundle" */
	char *path;            /* as given */
	char *expect;          /* expected digest, or NULL */
	long long expect_size; /* or -1 */
	int fd;
	char digest[MCP_DIGEST_STR_MAX];
	uint64_t size;
};

struct run {
	int quiet, verbose;
	char *configs[MCP_CONFIG_MAX_FILES];
	size_t nconfigs;
	const char *cache_flag;
	const char *doc_path;
	struct mcp_extract_limits lim;
	int standalone;

	struct mcp_config cfg;
	json_t *fetch; /* the input document, or NULL */
	struct artifact man, bun;
	char *manifest_buf;
	size_t manifest_len;
	struct mcp_manifest m;
	struct mcp_extract_result x;
	char *cache, *trees;
	int bun_vouched;             /* the bundle's seal held: not hashed */
	struct timespec bun_hashed_at; /* else: when its hashing started */
	const char *os, *arch;
};

static void info(const struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* -v progress lines, escaped like every message (paths may be hostile). */
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

/* A --bundle-digest / --manifest-digest value. */
static int
digest_arg(const char *name, const char *arg, char **out, struct mcp_err *e)
{
	if (!mcp_digest_valid_sha256(arg))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "option --%s: \"%.80s\" is not sha256: followed "
		    "by 64 lowercase hex digits",
		    name, arg);
	*out = xstrdup(arg);
	return 0;
}

/*
 * The command line.  Standalone mode and a fetch document exclude each
 * other; the digest options only make sense in standalone mode (a fetch
 * document carries its own digests).
 */
static int
parse_args(struct run *r, int argc, char **argv, struct mcp_err *e)
{
	struct mcp_getopt g;
	unsigned long long seen = 0, n;
	const char *p;
	uint64_t bytes;
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
		case OPT_CACHE_DIR:
			if (mcp_opt_once(&seen, 0, "cache-dir", e) < 0)
				return -1;
			r->cache_flag = optarg;
			break;
		case OPT_CONFIG:
			/* Repeatable, like mcp-policy's: files in order. */
			if (r->nconfigs == MCP_CONFIG_MAX_FILES)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --config: more than %d "
				    "files",
				    MCP_CONFIG_MAX_FILES);
			r->configs[r->nconfigs++] = optarg;
			break;
		case OPT_MANIFEST:
			if (mcp_opt_once(&seen, 1, "manifest", e) < 0)
				return -1;
			r->man.path = xstrdup(optarg);
			break;
		case OPT_BUNDLE:
			if (mcp_opt_once(&seen, 2, "bundle", e) < 0)
				return -1;
			r->bun.path = xstrdup(optarg);
			break;
		case OPT_BUNDLE_DIGEST:
			if (mcp_opt_once(&seen, 3, "bundle-digest", e) < 0 ||
			    digest_arg("bundle-digest", optarg, &r->bun.expect,
			               e) < 0)
				return -1;
			break;
		case OPT_MANIFEST_DIGEST:
			if (mcp_opt_once(&seen, 4, "manifest-digest", e) < 0 ||
			    digest_arg("manifest-digest", optarg,
			               &r->man.expect, e) < 0)
				return -1;
			break;
		case OPT_MAX_BYTES:
			if (mcp_opt_once(&seen, 5, "max-bytes", e) < 0)
				return -1;
			if (mcp_size_parse(optarg, &bytes) < 0)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --max-bytes: \"%.80s\" "
				    "is not a size such as 512M",
				    optarg);
			r->lim.max_bytes = bytes;
			break;
		case OPT_MAX_ENTRIES:
			if (mcp_opt_once(&seen, 6, "max-entries", e) < 0 ||
			    mcp_opt_uint("max-entries", optarg,
			                 MAX_ENTRIES_CEILING, &n, e) < 0)
				return -1;
			if (n == 0)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --max-entries: must be "
				    "at least 1");
			r->lim.max_entries = n;
			break;
		case OPT_REHASH:
			if (mcp_opt_once(&seen, 9, "rehash", e) < 0)
				return -1;
			r->lim.rehash = 1;
			break;
		case 'q':
			if (mcp_opt_once(&seen, 7, "quiet", e) < 0)
				return -1;
			r->quiet = 1;
			break;
		case 'v':
			if (mcp_opt_once(&seen, 8, "verbose", e) < 0)
				return -1;
			r->verbose = 1;
			break;
		default:
			/* getopt_long says '?' for an unknown option (optopt
			 * 0, or the unknown short letter) and for a missing
			 * argument (optopt the option's value). */
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
	/* For mcp-run, which passes no such option. */
	if ((p = getenv("MCP_VERIFY_REHASH")) != NULL && *p != '\0' &&
	    strcmp(p, "0") != 0)
		r->lim.rehash = 1;
	r->standalone = r->man.path != NULL || r->bun.path != NULL;
	if (r->standalone) {
		if (r->man.path == NULL || r->bun.path == NULL)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "options --manifest and --bundle go "
			                   "together");
		if (optind < argc)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "a fetch document cannot be combined "
			    "with --manifest and --bundle");
		return 0;
	}
	if (r->man.expect != NULL || r->bun.expect != NULL)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "options --bundle-digest and --manifest-digest "
		    "need --manifest and --bundle");
	if (argc - optind > 1)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "one fetch document at most (see --help)");
	r->doc_path = optind < argc ? argv[optind] : "-";
	return 0;
}

/* The entrypoint wanted on this machine: linux + amd64/arm64. */
static int
host_platform(struct run *r, struct mcp_err *e)
{
	struct utsname u;

	if (uname(&u) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "uname");
	if (strcmp(u.sysname, "Linux") != 0)
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "unsupported operating system %.64s",
		                   u.sysname);
	r->os = "linux";
	if (strcmp(u.machine, "x86_64") == 0)
		r->arch = "amd64";
	else if (strcmp(u.machine, "aarch64") == 0 ||
	         strcmp(u.machine, "arm64") == 0)
		r->arch = "arm64";
	else
		return mcp_err_set(
		    e, MCP_ERR_RUNTIME,
		    "unsupported machine %.64s (packages are built "
		    "for amd64 and arm64)",
		    u.machine);
	return 0;
}

/* Configuration: only verify.interpreters matters here. */
static int
load_config(struct run *r, struct mcp_err *e)
{
	char **p;

	if (mcp_config_load(&r->cfg, r->configs, r->nconfigs, 0, e) < 0)
		return -1;
	for (p = r->cfg.interpreters; p != NULL && *p != NULL; p++) {
		if (**p == '\0' || strchr(*p, '/') != NULL ||
		    strcmp(*p, ".") == 0 || strcmp(*p, "..") == 0)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "configuration: verify.interpreters: "
			    "\"%.80s\" is not a bare command name",
			    *p);
	}
	r->cache = mcp_cache_dir(r->cache_flag, &r->cfg, e);
	if (r->cache == NULL)
		return -1;
	r->trees = mcp_path_join(r->cache, "trees/sha256");
	return 0;
}

/* One artifact of the fetch document: {digest, size_bytes, path}. */
static int
fetch_artifact(struct run *r, struct artifact *a, struct mcp_err *e)
{
	const json_t *o = json_object_get(r->fetch, a->label), *v;
	const char *d, *p;

	if (!json_is_object(o))
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "fetch document: \"%s\" must be an object",
		                   a->label);
	d = json_string_value(json_object_get(o, "digest"));
	if (d == NULL || !mcp_digest_valid_sha256(d))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "fetch document: %s.digest must be sha256: and "
		    "64 lowercase hex digits",
		    a->label);
	v = json_object_get(o, "size_bytes");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "fetch document: %s.size_bytes must be a "
		                   "positive integer",
		                   a->label);
	p = json_string_value(json_object_get(o, "path"));
	if (p == NULL || *p == '\0')
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "fetch document: %s.path must be a non-empty "
		    "string",
		    a->label);
	a->expect = xstrdup(d);
	a->expect_size = (long long)json_integer_value(v);
	a->path = xstrdup(p);
	return 0;
}

/* The fetch document: its kind first, then the members we rely on. */
static int
read_input(struct run *r, struct mcp_err *e)
{
	static const char *const kinds[] = {MCP_KIND_FETCH, NULL};
	const json_t *v;

	if (r->standalone)
		return 0;
	r->fetch = mcp_doc_read(r->doc_path, kinds, e);
	if (r->fetch == NULL)
		return -1;
	v = json_object_get(r->fetch, "package");
	if (!json_is_string(v))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "fetch document: \"package\" must be a string");
	v = json_object_get(r->fetch, "version");
	if (!json_is_string(v))
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "fetch document: \"version\" must be a string");
	return fetch_artifact(r, &r->man, e) < 0 ||
	               fetch_artifact(r, &r->bun, e) < 0
	           ? -1
	           : 0;
}

/*
 * Open an artifact once.  A file named on the command line that cannot be
 * opened is a usage error; a cache file named by a fetch document that
 * vanished is a runtime error.
 */
static int
open_artifact(struct run *r, struct artifact *a, struct mcp_err *e)
{
	struct stat st;

	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	a->fd = open(a->path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (a->fd < 0)
		return mcp_err_sys(
		    e, r->standalone ? MCP_ERR_USAGE : MCP_ERR_RUNTIME,
		    "%s: %.256s", a->label, a->path);
	if (fstat(a->fd, &st) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: %.256s", a->label,
		                   a->path);
	if (!S_ISREG(st.st_mode))
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "%s: %.256s: not a regular file", a->label,
		                   a->path);
	if (fcntl(a->fd, F_SETFL, 0) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: %.256s", a->label,
		                   a->path);
	return 0;
}

/* Compare what was hashed with what was expected. */
static int
check_artifact(const struct artifact *a, struct mcp_err *e)
{
	if (a->expect != NULL && strcmp(a->expect, a->digest) != 0)
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "%s: digest mismatch: expected %s got %s",
		                   a->label, a->expect, a->digest);
	if (a->expect_size >= 0 && (uint64_t)a->expect_size != a->size)
		return mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "%s: size mismatch: expected %lld bytes, got "
		    "%llu",
		    a->label, a->expect_size, (unsigned long long)a->size);
	return 0;
}

/*
 * The manifest is read into memory once and hashed there; the parser sees
 * exactly the bytes whose digest matched, even if the file is rewritten
 * meanwhile.
 */
static int
verify_manifest(struct run *r, struct mcp_err *e)
{
	struct mcp_digest d = {0};
	struct stat st;
	json_t *root;
	int ret;

	if (open_artifact(r, &r->man, e) < 0)
		return -1;
	if (fstat(r->man.fd, &st) == 0 && st.st_size > (off_t)MCP_MANIFEST_MAX)
		goto too_big;
	if (mcp_read_all(r->man.fd, MCP_MANIFEST_MAX, &r->manifest_buf,
	                 &r->manifest_len) < 0) {
		if (errno == EFBIG)
			goto too_big;
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "manifest: %.256s",
		                   r->man.path);
	}
	if (mcp_digest_init(&d, MCP_DIGEST_SHA256, e) < 0)
		return -1;
	mcp_digest_update(&d, r->manifest_buf, r->manifest_len);
	if (mcp_digest_final(&d, r->man.digest, e) < 0)
		return -1;
	r->man.size = r->manifest_len;
	if (check_artifact(&r->man, e) < 0)
		return -1;
	info(r, "manifest %s verified (%zu bytes)", r->man.digest,
	     r->manifest_len);

	root = mcp_json_load_buf(r->manifest_buf, r->manifest_len, "manifest",
	                         MCP_ERR_VERIFY, e);
	if (root == NULL)
		return -1;
	ret = mcp_manifest_parse(root, r->os, r->arch,
	                         (const char *const *)r->cfg.interpreters,
	                         &r->m, e);
	json_decref(root);
	if (ret < 0)
		return mcp_err_prefix(e, "manifest: ");
	return 0;
too_big:
	return mcp_err_set(e, MCP_ERR_VERIFY, "manifest: larger than %u bytes",
	                   MCP_MANIFEST_MAX);
}

/* The manifest must describe the package the registry resolved. */
static int
check_identity(struct run *r, struct mcp_err *e)
{
	const char *pkg, *ver, *gs;

	if (r->fetch == NULL)
		return 0;
	pkg = json_string_value(json_object_get(r->fetch, "package"));
	ver = json_string_value(json_object_get(r->fetch, "version"));
	gs = json_string_value(json_object_get(r->fetch, "git_sha"));
	if (strcmp(pkg, r->m.package) != 0)
		return mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "manifest: package.id \"%s\" is not the fetched "
		    "package \"%.130s\"",
		    r->m.package, pkg);
	if (strcmp(ver, r->m.version) != 0)
		return mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "manifest: package.version \"%s\" is not the "
		    "fetched version \"%.130s\"",
		    r->m.version, ver);
	if (gs != NULL && r->m.git_sha != NULL && strcmp(gs, r->m.git_sha) != 0)
		return mcp_err_set(e, MCP_ERR_VERIFY,
		                   "manifest: package.git_sha %s is not the "
		                   "fetched commit %.64s",
		                   r->m.git_sha, gs);
	return 0;
}

/*
 * Hash the bundle on its descriptor and compare; the same descriptor is
 * handed to the extraction, which hashes what it reads once more.  Not
 * hashed when the index of the tree of the expected digest holds a seal
 * of this very file (same device, inode, size, mtime and ctime as when it
 * was last hashed): see mcp-verify(1), SECURITY CONSIDERATIONS.
 */
static int
verify_bundle(struct run *r, struct mcp_err *e)
{
	struct stat st;

	/* Standalone: the client manifest's own digest binds the bundle
	 * unless one was given; a hub manifest has none. */
	if (r->standalone && r->bun.expect == NULL) {
		if (r->m.bundle_digest == NULL)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "a hub-format manifest has no bundle "
			    "digest: give --bundle-digest");
		r->bun.expect = xstrdup(r->m.bundle_digest);
	}
	if (open_artifact(r, &r->bun, e) < 0)
		return -1;
	if (!r->lim.rehash &&
	    mcp_bundle_vouched(r->bun.fd, r->trees, r->bun.expect,
	                       &r->bun_hashed_at) == 1 &&
	    fstat(r->bun.fd, &st) == 0) {
		r->bun_vouched = 1;
		snprintf(r->bun.digest, sizeof(r->bun.digest), "%s",
		         r->bun.expect);
		r->bun.size = (uint64_t)st.st_size;
	} else if (mcp_digest_fd(r->bun.fd, MCP_DIGEST_SHA256, "bundle",
	                         r->bun.digest, &r->bun.size, e) < 0) {
		return -1;
	}
	if (check_artifact(&r->bun, e) < 0)
		return -1;
	/* A client manifest names its bundle: pairing it with another one
	 * is refused even when both digests were given. */
	if (r->m.bundle_digest != NULL &&
	    strcmp(r->m.bundle_digest, r->bun.digest) != 0)
		return mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "manifest: bundle.digest: the manifest is for "
		    "another bundle (expected %s got %s)",
		    r->m.bundle_digest, r->bun.digest);
	if (r->m.bundle_digest != NULL && r->m.bundle_size != r->bun.size)
		return mcp_err_set(
		    e, MCP_ERR_VERIFY,
		    "manifest: bundle.size_bytes: %llu is not the "
		    "bundle's size %llu",
		    (unsigned long long)r->m.bundle_size,
		    (unsigned long long)r->bun.size);
	info(r, "bundle %s verified (%llu bytes%s)", r->bun.digest,
	     (unsigned long long)r->bun.size,
	     r->bun_vouched ? ", its seal holds" : "");
	return 0;
}

/* Extract or reuse CACHE/trees/sha256/<hex>. */
static int
extract(struct run *r, struct mcp_err *e)
{
	int ret;

	ret = mcp_mkdir_p(r->trees, MCP_CACHE_DIR_MODE, e);
	if (ret == 0)
		ret = mcp_extract_bundle(
		    r->bun.fd, r->bun_vouched ? NULL : &r->bun_hashed_at,
		    r->trees, r->bun.digest, &r->lim, &r->x, e);
	if (ret < 0)
		return -1;
	if (r->x.walk_fallback && !r->quiet)
		mcp_warn(prog, "openat2(2) is not available: extracting with "
		               "an O_NOFOLLOW walk");
	if (r->x.damaged && !r->quiet)
		mcp_warn(prog, "%s was damaged (%s) and has been extracted again",
		         r->x.tree, r->x.why);
	if (r->x.reused && !r->x.sealed)
		info(r, "%s: every file hashed (%s)", r->x.tree,
		     r->lim.rehash ? "--rehash" : r->x.why);
	info(r, "%s %s (%llu entries, %llu bytes%s)",
	     r->x.reused ? "reusing" : "extracted into", r->x.tree,
	     (unsigned long long)r->x.entries, (unsigned long long)r->x.bytes,
	     r->x.sealed ? ", its seal holds" : "");
	return 0;
}

/* The absolute path of a system interpreter, from fixed directories. */
/* stat(2) follows the symlink (/usr/bin/python3 -> python3.11): the
 * directory is trusted, its links are the distribution's. */
static char *
find_interpreter(const char *name)
{
	struct stat st;
	char *p;
	size_t i;

	for (i = 0; interp_dirs[i] != NULL; i++) {
		p = xasprintf("%s/%s", interp_dirs[i], name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* 1 if REL (normalised) is a regular file inside the tree. */
static int
is_tree_file(int tfd, const char *rel)
{
	struct stat st;
	int fd = mcp_open_beneath(tfd, rel, O_RDONLY | O_NOCTTY, 0), ok;

	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	return ok;
}

/*
 * Complete server.entrypoint with interpreter and argv, after checking
 * the command and the working directory against the extracted tree.
 */
static int
resolve_entrypoint(struct run *r, struct mcp_err *e)
{
	json_t *ep = json_object_get(r->m.server, "entrypoint");
	json_t *args = json_object_get(ep, "args"), *argv = json_array(), *v;
	const char *tree = r->x.tree, *why;
	char *interp = NULL, *rel = NULL;
	struct stat st;
	int tfd, fd, ret = -1;
	size_t i;

	tfd = open(tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tfd < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tree);
		goto out;
	}
	if (r->m.interpreter != NULL) {
		interp = find_interpreter(r->m.interpreter);
		if (interp == NULL) {
			mcp_err_set(
			    e, MCP_ERR_RUNTIME,
			    "manifest: %s: interpreter \"%s\" not found "
			    "in /usr/local/bin, /usr/bin or /bin",
			    r->m.command_at, r->m.interpreter);
			goto out;
		}
		json_array_append_new(argv, json_string(interp));
	} else {
		/* RESOLVE_BENEATH: a symlink inside the tree is fine, one
		 * that leads out of it is not. */
		fd = mcp_open_beneath(tfd, r->m.command_path,
		                      O_RDONLY | O_NOCTTY, 0);
		if (fd < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				why = "is not in the bundle";
			else if (errno == EXDEV || errno == ELOOP)
				why = "leaves the bundle through a symlink";
			else
				why = strerror(errno);
			mcp_err_set(e, MCP_ERR_VERIFY,
			            "manifest: %s: \"%s\" %s", r->m.command_at,
			            r->m.command_path, why);
			goto out;
		}
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    (st.st_mode & 0111) == 0) {
			mcp_err_set(e, MCP_ERR_VERIFY,
			            "manifest: %s: \"%s\" is not %s",
			            r->m.command_at, r->m.command_path,
			            S_ISREG(st.st_mode) ? "executable"
			                                : "a regular file");
			close(fd);
			goto out;
		}
		close(fd);
		rel = xasprintf("%s/%s", tree, r->m.command_path);
		json_array_append_new(argv, json_string(rel));
		free(rel);
		rel = NULL;
	}
	/* The working directory must be a directory of the tree. */
	if (strcmp(r->m.workdir, ".") != 0) {
		fd = mcp_open_beneath(tfd, r->m.workdir, O_RDONLY | O_DIRECTORY,
		                      0);
		if (fd < 0) {
			mcp_err_set(
			    e, MCP_ERR_VERIFY,
			    "manifest: entrypoint.workdir: \"%s\" is not "
			    "a directory of the bundle",
			    r->m.workdir);
			goto out;
		}
		close(fd);
	}
	json_array_foreach(args, i, v)
	{
		const char *s = json_string_value(v);

		/*
		 * An interpreter's script (its first argument, when it is
		 * not an option) is made absolute if it is a file of the
		 * bundle, so argv does not depend on the working directory.
		 */
		if (i == 0 && interp != NULL && s[0] != '-' && s[0] != '\0') {
			rel = mcp_manifest_relpath(s, 0, 1, &why);
			if (rel == NULL && s[0] != '/' &&
			    strcmp(why, "leaves the bundle") == 0) {
				mcp_err_set(e, MCP_ERR_VERIFY,
				            "manifest: entrypoint argument "
				            "\"%.256s\": leaves the bundle",
				            s);
				goto out;
			}
			if (rel != NULL && is_tree_file(tfd, rel)) {
				char *abs = xasprintf("%s/%s", tree, rel);

				json_array_append_new(argv, json_string(abs));
				free(abs);
				free(rel);
				rel = NULL;
				continue;
			}
			free(rel);
			rel = NULL;
		}
		json_array_append_new(argv, json_string(s));
	}
	if (json_object_set_new(ep, "interpreter",
	                        interp ? json_string(interp) : json_null()) <
	        0 ||
	    json_object_set(ep, "argv", argv) < 0)
		mcp_oom();
	ret = 0;
out:
	free(interp);
	free(rel);
	if (tfd >= 0)
		close(tfd);
	json_decref(argv);
	return ret;
}

/* Absolute form of a path given on the command line, for the document. */
static json_t *
abs_path(const char *p)
{
	char *rp = realpath(p, NULL);
	json_t *j = json_string(rp ? rp : p);

	free(rp);
	return j;
}

/* The mcp.verified/v1 document of HACKING.md. */
static json_t *
build_doc(struct run *r)
{
	json_t *doc = mcp_doc_new(MCP_KIND_VERIFIED), *v;
	char now[32], *ref;
	size_t i;

	if (r->fetch != NULL) {
		for (i = 0; identity[i] != NULL; i++) {
			v = json_object_get(r->fetch, identity[i]);
			json_object_set_new(doc, identity[i],
			                    v ? json_deep_copy(v)
			                      : json_null());
		}
	} else {
		/* Standalone: identity from the manifest, no registry. */
		ref = xasprintf("%s@%s", r->m.package, r->m.version);
		json_object_set_new(doc, "ref", json_string(ref));
		free(ref);
		json_object_set_new(doc, "package", json_string(r->m.package));
		json_object_set_new(doc, "version", json_string(r->m.version));
		json_object_set_new(doc, "git_sha",
		                    r->m.git_sha ? json_string(r->m.git_sha)
		                                 : json_null());
		for (i = 4; identity[i] != NULL; i++)
			json_object_set_new(doc, identity[i], json_null());
	}
	mcp_now_rfc3339(now);
	json_object_set_new(doc, "verified_at", json_string(now));
	json_object_set_new(
	    doc, "manifest",
	    json_pack("{s:s, s:I, s:o, s:s, s:s}", "digest", r->man.digest,
	              "size_bytes", (json_int_t)r->man.size, "path",
	              r->standalone ? abs_path(r->man.path)
	                            : json_string(r->man.path),
	              "format",
	              r->m.format == MCP_MANIFEST_HUB ? "hub" : "client",
	              "schema_version", r->m.schema_version));
	json_object_set_new(
	    doc, "bundle",
	    json_pack("{s:s, s:I, s:o}", "digest", r->bun.digest, "size_bytes",
	              (json_int_t)r->bun.size, "path",
	              r->standalone ? abs_path(r->bun.path)
	                            : json_string(r->bun.path)));
	json_object_set_new(doc, "tree", json_string(r->x.tree));
	json_object_set(doc, "server", r->m.server);
	return doc;
}

static void
artifact_release(struct artifact *a)
{
	free(a->path);
	free(a->expect);
	if (a->fd >= 0)
		close(a->fd);
}

int
main(int argc, char **argv)
{
	struct mcp_err e;
	struct run r;
	json_t *doc = NULL;

	mcp_err_init(&e);
	memset(&r, 0, sizeof(r));
	r.man.label = "manifest";
	r.bun.label = "bundle";
	r.man.fd = r.bun.fd = -1;
	r.man.expect_size = r.bun.expect_size = -1;
	mcp_extract_limits_default(&r.lim);
	mcp_config_init(&r.cfg);
	mcp_manifest_init(&r.m);

	if (mcp_std_fds() < 0)
		return MCP_EXIT_RUNTIME;
	/*
	 * libarchive converts entry names to the locale's charset; with a
	 * UTF-8 LC_CTYPE it hands us the archive's bytes unchanged, and we
	 * check them for valid UTF-8 and control characters ourselves.
	 */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");

	if (parse_args(&r, argc, argv, &e) < 0 || host_platform(&r, &e) < 0 ||
	    load_config(&r, &e) < 0 || read_input(&r, &e) < 0 ||
	    verify_manifest(&r, &e) < 0 || check_identity(&r, &e) < 0 ||
	    verify_bundle(&r, &e) < 0 || extract(&r, &e) < 0 ||
	    resolve_entrypoint(&r, &e) < 0)
		goto out;
	doc = build_doc(&r);
	mcp_doc_write(stdout, doc, &e);
out:
	if (e.cat != MCP_ERR_NONE)
		mcp_err_print(prog, &e);
	json_decref(doc);
	json_decref(r.fetch);
	artifact_release(&r.man);
	artifact_release(&r.bun);
	free(r.manifest_buf);
	free(r.cache);
	free(r.trees);
	mcp_manifest_release(&r.m);
	mcp_extract_result_release(&r.x);
	mcp_config_release(&r.cfg);
	/* stdout was flushed and checked by mcp_doc_write; a late close
	 * failure still counts. */
	if (fclose(stdout) != 0 && e.cat == MCP_ERR_NONE) {
		mcp_err_sys(&e, MCP_ERR_RUNTIME, "write to stdout failed");
		mcp_err_print(prog, &e);
	}
	return mcp_err_exit(&e);
}
