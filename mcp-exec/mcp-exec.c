/*
 * mcp-exec: run an MCP server under an mcp.spec/v1, on the caller's stdio.
 *
 * The story: read the spec and check every member; open the records; clone
 * a child (new pid and, rootless, user namespaces) that closes stray
 * descriptors, takes the spec's environment, is put in the run's cgroup,
 * enters its namespaces and private root, gets its rlimits, drops to an
 * unprivileged identity with no capabilities and no_new_privs, restricts
 * itself with Landlock, becomes the init of its pid namespace, and forks
 * the server, which loads the seccomp filter and execs.
 * The parent writes the start record, forwards signals, enforces the
 * timeout, kills what the run left behind, writes the end record, and
 * exits with the server's status.  stdin, stdout and stderr are the
 * server's: mcp-exec writes only diagnostics to stderr, and records only
 * where --records/--records-fd say.  No configuration file is read: the
 * spec is the whole input.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc.h"
#include "err.h"
#include "opts.h"
#include "probe.h"
#include "spec.h"
#include "supervise.h"

static const char prog[] = "mcp-exec";

enum {
	OPT_RECORDS = 256,
	OPT_RECORDS_FD,
	OPT_SPEC_FD,
	OPT_USER,
	OPT_GROUP,
	OPT_GRACE,
	OPT_HANGUP_GRACE,
	OPT_SECRETS_FILE,
	OPT_PROBE,
	OPT_JSON,
	OPT_HELP,
	OPT_VERSION,
};

static const struct mcp_opt options[] = {
    {"records", required_argument, OPT_RECORDS, "FILE",
     "append the start and end records to FILE (created 0600)"},
    {"records-fd", required_argument, OPT_RECORDS_FD, "N",
     "write the records to descriptor N (3 or above)"},
    {"spec-fd", required_argument, OPT_SPEC_FD, "N",
     "read the spec from descriptor N instead of SPEC-FILE"},
    {"user", required_argument, OPT_USER, "USER",
     "run the server as USER (name or uid; root only; default 65534)"},
    {"group", required_argument, OPT_GROUP, "GROUP",
     "run the server as GROUP (name or gid; root only; default 65534)"},
    {"grace", required_argument, OPT_GRACE, "SECONDS",
     "after a timeout, wait SECONDS between SIGTERM and SIGKILL (5)"},
    {"hangup-grace", required_argument, OPT_HANGUP_GRACE, "SECONDS",
     "after the client closes stdin, wait SECONDS for the server to exit (5)"},
    {"secrets-file", required_argument, OPT_SECRETS_FILE, "FILE",
     "read the spec's secrets from FILE (KEY=VALUE lines, mode 0600)"},
    {"probe", no_argument, OPT_PROBE, NULL,
     "report what this kernel and user allow, then exit"},
    {"json", no_argument, OPT_JSON, NULL,
     "with --probe: write an mcp.probe/v1 document"},
    {"quiet", no_argument, 'q', NULL,
     "no warnings (but a record that could not be written)"},
    {"verbose", no_argument, 'v', NULL, "print each layer's status"},
    {"help", no_argument, OPT_HELP, NULL, "show this help and exit"},
    {"version", no_argument, OPT_VERSION, NULL, "show the version and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const char usage[] =
    "mcp-exec [--records FILE | --records-fd N] [--user USER] "
    "[--group GROUP] [--grace SECONDS] [--hangup-grace SECONDS] "
    "[--secrets-file FILE] [-q] [-v] SPEC-FILE\n"
    "mcp-exec [options] --spec-fd N\n"
    "mcp-exec --probe [--json]\n";

static const char summary[] =
    "Run the MCP server an mcp.spec/v1 describes, confined and limited,\n"
    "on this process's stdin, stdout and stderr, and exit with its status.";

struct args {
	const char *spec_path;
	const char *records;
	const char *user, *group;
	const char *secrets_file;
	long records_fd, spec_fd;
	unsigned long long grace_s, hangup_grace_s;
	int probe, json, quiet, verbose;
};

static int
parse_fd_opt(const char *name, const char *arg, long *out, struct mcp_err *e)
{
	unsigned long long v;

	if (mcp_opt_uint(name, arg, 1048575, &v, e) < 0)
		return -1;
	/* 0, 1 and 2 are the server's. */
	if (v < 3)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "option --%s: descriptors 0, 1 and 2 belong to the server",
		    name);
	if (fcntl((int)v, F_GETFD) < 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --%s: descriptor %llu is not open",
		                   name, v);
	*out = (long)v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct args *a, int *done, struct mcp_err *e)
{
	struct mcp_getopt g;
	unsigned long long seen = 0;
	int c;

	mcp_getopt_init(&g, options);
	opterr = 0;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) !=
	       -1) {
		switch (c) {
		case OPT_HELP:
			mcp_opts_help(stdout, usage, summary, options);
			*done = 1;
			return 0;
		case OPT_VERSION:
			mcp_opts_version(stdout, prog);
			*done = 1;
			return 0;
		case '?':
			if (optopt)
				return mcp_err_set(e, MCP_ERR_USAGE,
				                   "unknown option -%c",
				                   optopt);
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "unknown option %s (see --help)",
			                   argv[optind - 1]);
		case ':':
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "option %s needs an argument",
			                   argv[optind - 1]);
		}
		/* Every option at most once. */
		if (mcp_opt_once(&seen,
		                 c < 256 ? (unsigned)(c & 31) + 32
		                         : (unsigned)(c - 256),
		                 c == 'q'   ? "quiet"
		                 : c == 'v' ? "verbose"
		                            : options[c - 256].name,
		                 e) < 0)
			return -1;
		switch (c) {
		case OPT_RECORDS:
			a->records = optarg;
			break;
		case OPT_RECORDS_FD:
			if (parse_fd_opt("records-fd", optarg, &a->records_fd,
			                 e) < 0)
				return -1;
			break;
		case OPT_SPEC_FD:
			if (parse_fd_opt("spec-fd", optarg, &a->spec_fd, e) < 0)
				return -1;
			break;
		case OPT_USER:
			a->user = optarg;
			break;
		case OPT_GROUP:
			a->group = optarg;
			break;
		case OPT_GRACE:
			if (mcp_opt_uint("grace", optarg, 3600, &a->grace_s,
			                 e) < 0)
				return -1;
			break;
		case OPT_HANGUP_GRACE:
			if (mcp_opt_uint("hangup-grace", optarg, 3600,
			                 &a->hangup_grace_s, e) < 0)
				return -1;
			break;
		case OPT_SECRETS_FILE:
			a->secrets_file = optarg;
			break;
		case OPT_PROBE:
			a->probe = 1;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		}
	}
	if (a->records != NULL && a->records_fd >= 0)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "options --records and --records-fd exclude each other");
	if (a->json && !a->probe)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --json works only with --probe");
	if (a->probe) {
		if (optind < argc || a->records || a->records_fd >= 0 ||
		    a->spec_fd >= 0 || a->user || a->group)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "option --probe takes no spec and no run options");
		return 0;
	}
	if (a->spec_fd >= 0) {
		if (optind < argc)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "option --spec-fd and SPEC-FILE "
			                   "exclude each other");
		return 0;
	}
	if (optind != argc - 1)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   optind >= argc
		                       ? "missing SPEC-FILE (see --help)"
		                       : "too many arguments (see --help)");
	a->spec_path = argv[optind];
	/* stdin is the server's: the spec cannot come from it. */
	if (strcmp(a->spec_path, "-") == 0)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "SPEC-FILE cannot be - (stdin belongs to "
		                   "the server; use --spec-fd)");
	return 0;
}

static int
do_probe(const struct args *a, struct mcp_err *e)
{
	json_t *d = probe_run();
	int rc = 0;

	if (a->json) {
		rc = mcp_doc_write(stdout, d, e);
	} else {
		probe_print(stdout, d);
		if (fflush(stdout) == EOF || ferror(stdout))
			rc = mcp_err_sys(e, MCP_ERR_RUNTIME,
			                 "write to stdout failed");
	}
	json_decref(d);
	return rc;
}

static json_t *
load_spec(const struct args *a, char *label, size_t n, struct mcp_err *e)
{
	json_t *j;

	if (a->spec_path != NULL) {
		snprintf(label, n, "%s", a->spec_path);
		return mcp_json_load_path(a->spec_path, MCP_DOC_MAX,
		                          MCP_ERR_USAGE, e);
	}
	snprintf(label, n, "spec fd %ld", a->spec_fd);
	j = mcp_json_load_fd((int)a->spec_fd, label, MCP_DOC_MAX, MCP_ERR_USAGE,
	                     e);
	close((int)a->spec_fd);
	return j;
}

static int
open_records(const struct args *a, int *fd, struct mcp_err *e)
{
	int fl;

	if (a->records != NULL) {
		/* O_APPEND: each record lands whole at the end, whoever
		 * else appends (DESIGN.md invariant 5). */
		*fd = open(a->records,
		           O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (*fd < 0)
			return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s",
			                   a->records);
		return 0;
	}
	*fd = (int)a->records_fd;
	if (*fd < 0)
		return 0;
	fl = fcntl(*fd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "option --records-fd: descriptor %d is not "
		                   "open for writing",
		                   *fd);
	/* The server must not inherit it (the child closes it anyway). */
	if (fcntl(*fd, F_SETFD, FD_CLOEXEC) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "records fd %d", *fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct mcp_spec spec;
	struct run_opts ro;
	struct mcp_err e;
	json_t *doc = NULL;
	char label[64];
	int done = 0, code = MCP_EXIT_RUNTIME, records_fd = -1;

	mcp_err_init(&e);
	mcp_spec_init(&spec);
	memset(&a, 0, sizeof(a));
	a.records_fd = a.spec_fd = -1;
	a.grace_s = 5;
	a.hangup_grace_s = 5;
	if (mcp_std_fds() < 0)
		return MCP_EXIT_RUNTIME; /* nowhere to say it */
	/* A records reader that goes away must cost a warning, not our
	 * life (and so the server's, through its parent-death signal). */
	signal(SIGPIPE, SIG_IGN);

	if (parse_args(argc, argv, &a, &done, &e) < 0)
		goto out;
	if (done) {
		code = MCP_EXIT_OK;
		if (fflush(stdout) == EOF || ferror(stdout))
			code = MCP_EXIT_RUNTIME;
		goto out;
	}
	if (a.probe) {
		if (do_probe(&a, &e) == 0)
			code = MCP_EXIT_OK;
		goto out;
	}
	memset(&ro, 0, sizeof(ro));
	if (identity_resolve(a.user, a.group, &ro.id, &e) < 0)
		goto out;
	if ((doc = load_spec(&a, label, sizeof(label), &e)) == NULL ||
	    mcp_spec_parse(&spec, doc, label, &e) < 0)
		goto out;
	if (open_records(&a, &records_fd, &e) < 0)
		goto out;
	ro.prog = prog;
	ro.quiet = a.quiet;
	ro.verbose = a.verbose;
	ro.grace_ms = a.grace_s * 1000;
	ro.hangup_grace_ms = a.hangup_grace_s * 1000;
	ro.secrets_file = a.secrets_file;
	ro.records_fd = records_fd;
	code = supervise_run(&spec, &ro, &e);
out:
	if (e.cat != MCP_ERR_NONE) {
		mcp_err_print(prog, &e);
		if (code == MCP_EXIT_RUNTIME)
			code = mcp_err_exit(&e);
	}
	if (records_fd >= 0 && close(records_fd) < 0 && !a.quiet)
		mcp_warn(prog, "records: close: %s", strerror(errno));
	json_decref(doc);
	mcp_spec_release(&spec);
	return code;
}
