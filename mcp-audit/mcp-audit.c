/*
 * mcp-audit: the tamper-evident audit log of mcp-tools.
 *
 * Every stage document and execution record ends up here as one JSON line
 * chained to the line before it by SHA-256 (mcp-audit(1)).  This file is
 * the sub-command table and main; the story of each sub-command is in
 * append.c, verify.c, query.c (show) and rotate.c, the chain in chain.c.
 */
#include <mcp-config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "opts.h"

int mcp_audit_quiet;

enum {
	CMD_APPEND = 1,
	CMD_VERIFY = 2,
	CMD_SHOW = 4,
	CMD_ROTATE = 8,
	CMD_ANY = 15,
};

static const struct {
	const char *name;
	unsigned bit;
	int (*run)(const struct mcp_audit_opts *, const char *,
	           struct mcp_err *);
} commands[] = {
    {"append", CMD_APPEND, mcp_audit_cmd_append},
    {"verify", CMD_VERIFY, mcp_audit_cmd_verify},
    {"show", CMD_SHOW, mcp_audit_cmd_show},
    {"rotate", CMD_ROTATE, mcp_audit_cmd_rotate},
};

enum {
	OPT_HELP = 256,
	OPT_VERSION,
	OPT_CONFIG,
	OPT_LOG,
	OPT_SYSLOG,
	OPT_SECRET,
	OPT_REDACT_KEY,
	OPT_SECRETS_FROM,
	OPT_EXPECT_HEAD,
	OPT_SERIES,
	OPT_NO_ANCHOR,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_PACKAGE,
	OPT_OUTCOME,
	OPT_KIND,
	OPT_JSON,
};

/* One table for getopt_long and --help; CMDS below says who takes what. */
static const struct mcp_opt options[] = {
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {"version", no_argument, OPT_VERSION, NULL, "print the version and exit"},
    {"quiet", no_argument, 'q', NULL, "print only errors"},
    {"verbose", no_argument, 'v', NULL, "say what was done, on stderr"},
    {"config", required_argument, OPT_CONFIG, "FILE",
     "also read this configuration file (repeatable)"},
    {"log", required_argument, OPT_LOG, "FILE",
     "the audit log (default: $MCP_AUDIT_LOG, config audit.log, XDG state)"},
    {"syslog", no_argument, OPT_SYSLOG, NULL,
     "append, rotate, verify: also log to syslog (facility authpriv)"},
    {"secret", required_argument, OPT_SECRET, "NAME",
     "append: redact the value of environment variable NAME (repeatable)"},
    {"redact-key", required_argument, OPT_REDACT_KEY, "GLOB",
     "append: also redact values of keys matching GLOB (repeatable)"},
    {"secrets-from", required_argument, OPT_SECRETS_FROM, "SPEC",
     "append: redact the secrets a spec names, as --secret (repeatable)"},
    {"expect-head", required_argument, OPT_EXPECT_HEAD, "HASH",
     "verify: fail unless HASH is a line of the log"},
    {"series", no_argument, OPT_SERIES, NULL,
     "verify: check LOG.1, LOG.2, ... and LOG as one chain"},
    {"no-anchor", no_argument, OPT_NO_ANCHOR, NULL,
     "verify: do not check the anchor file LOG.head"},
    {"since", required_argument, OPT_SINCE, "TIME",
     "show: records at or after TIME (RFC 3339, date, or duration ago)"},
    {"until", required_argument, OPT_UNTIL, "TIME",
     "show: records at or before TIME"},
    {"package", required_argument, OPT_PACKAGE, "GLOB",
     "show: records of packages matching GLOB"},
    {"outcome", required_argument, OPT_OUTCOME, "OUTCOME",
     "show: records with this outcome (success, error, denied, ...)"},
    {"kind", required_argument, OPT_KIND, "KIND",
     "show: records of this kind (mcp.exec/v1, exec, glob)"},
    {"json", no_argument, OPT_JSON, NULL,
     "show: print the matching log lines as stored"},
    {"follow", no_argument, 'f', NULL,
     "show: keep reading as the log grows, until SIGINT or SIGTERM"},
    {NULL, 0, 0, NULL, NULL},
};

static unsigned
opt_cmds(int val)
{
	switch (val) {
	case OPT_SYSLOG:
		return CMD_APPEND | CMD_ROTATE | CMD_VERIFY;
	case OPT_SECRET:
	case OPT_REDACT_KEY:
	case OPT_SECRETS_FROM:
		return CMD_APPEND;
	case OPT_EXPECT_HEAD:
	case OPT_SERIES:
	case OPT_NO_ANCHOR:
		return CMD_VERIFY;
	case OPT_SINCE:
	case OPT_UNTIL:
	case OPT_PACKAGE:
	case OPT_OUTCOME:
	case OPT_KIND:
	case OPT_JSON:
	case 'f':
		return CMD_SHOW;
	default:
		return CMD_ANY;
	}
}

static const char usage[] =
    "mcp-audit append [--log FILE] [--secret NAME]... [--secrets-from SPEC]... "
    "[--redact-key GLOB]... [--syslog] [FILE|-]\n"
    "mcp-audit verify [--log FILE] [--expect-head HASH] [--series] "
    "[--no-anchor]\n"
    "mcp-audit show [--log FILE] [--since TIME] [--until TIME] "
    "[--package GLOB] [--outcome OUTCOME] [--kind KIND] [--json] [-f]\n"
    "mcp-audit rotate [--log FILE] [--syslog]\n";

static const char summary[] =
    "Keep a tamper-evident, hash-chained log of mcp-tools documents and\n"
    "execution records; verify it, query it and rotate it.";

/* Each option's bit in SEEN, for refusing repeats by name. */
static unsigned
opt_bit(int val)
{
	return val >= 256   ? (unsigned)(val - 256)
	       : val == 'q' ? 40
	       : val == 'v' ? 41
	                    : 42;
}

/* Parse options from ARGV[OPTIND...] until the first operand. */
static int
parse(int argc, char **argv, struct mcp_audit_opts *o,
      unsigned long long *given, unsigned long long *seen, int *help,
      int *version, struct mcp_err *e)
{
	struct mcp_getopt g;
	const char *name;
	int c, i;

	mcp_getopt_init(&g, options);
	opterr = 0;
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) !=
	       -1) {
		if (c == '?' || c == ':') {
			if (optopt > 0 && optopt < 256)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "unknown option -%c (see --help)", optopt);
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "unknown option or missing argument: "
			    "%s (see --help)",
			    argv[optind - 1]);
		}
		name = "?";
		for (i = 0; options[i].name != NULL; i++)
			if (options[i].val == c)
				name = options[i].name;
		*given |= 1ULL << opt_bit(c);
		/* Options that add to a list may repeat; no other may. */
		if (c != OPT_CONFIG && c != OPT_SECRET && c != OPT_REDACT_KEY &&
		    c != OPT_SECRETS_FROM &&
		    mcp_opt_once(seen, opt_bit(c), name, e) < 0)
			return -1;
		switch (c) {
		case OPT_HELP:
			*help = 1;
			break;
		case OPT_VERSION:
			*version = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_CONFIG:
			if (o->nconfigs == MCP_CONFIG_MAX_FILES - 2)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --config: too many files");
			o->configs[o->nconfigs++] = optarg;
			break;
		case OPT_LOG:
			if (optarg[0] == '\0')
				return mcp_err_set(e, MCP_ERR_USAGE,
				                   "option --log: empty path");
			o->log_flag = optarg;
			break;
		case OPT_SYSLOG:
			o->syslog = 1;
			break;
		case OPT_SECRET:
			if (o->nsecrets == 64)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --secret: too many names");
			o->secrets[o->nsecrets++] = optarg;
			break;
		case OPT_REDACT_KEY:
			if (o->nredact == 64)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --redact-key: too many patterns");
			o->redact_keys[o->nredact++] = optarg;
			break;
		case OPT_SECRETS_FROM:
			if (o->nsecrets_from == 16)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --secrets-from: too many files");
			/* Standard input is the records' (and reading a
			 * spec from it first would hold up the records). */
			if (optarg[0] == '\0' || strcmp(optarg, "-") == 0)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "option --secrets-from: needs a file, not "
				    "\"%s\"",
				    optarg);
			o->secrets_from[o->nsecrets_from++] = optarg;
			break;
		case OPT_EXPECT_HEAD:
			o->expect_head = optarg;
			break;
		case OPT_SERIES:
			o->series = 1;
			break;
		case OPT_NO_ANCHOR:
			o->no_anchor = 1;
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_UNTIL:
			o->until = optarg;
			break;
		case OPT_PACKAGE:
			o->package = optarg;
			break;
		case OPT_OUTCOME:
			o->outcome = optarg;
			break;
		case OPT_KIND:
			o->kind = optarg;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case 'f':
			o->follow = 1;
			break;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct mcp_audit_opts o;
	struct mcp_config cfg;
	struct mcp_err e;
	unsigned long long seen = 0, given = 0;
	const char *cname;
	char *log = NULL;
	int help = 0, version = 0, rc = -1;
	size_t i, c;

	mcp_err_init(&e);
	memset(&o, 0, sizeof(o));
	mcp_config_init(&cfg);
	if (mcp_std_fds() < 0)
		return MCP_EXIT_RUNTIME;

	/* Options may come before and after the sub-command. */
	if (parse(argc, argv, &o, &given, &seen, &help, &version, &e) < 0)
		goto out;
	if (!help && !version && optind < argc) {
		cname = argv[optind];
		argc -= optind;
		argv += optind;
		optind = 1;
		if (parse(argc, argv, &o, &given, &seen, &help, &version, &e) <
		    0)
			goto out;
	} else {
		cname = NULL;
	}
	if (help) {
		mcp_opts_help(stdout, usage, summary, options);
		return fflush(stdout) == 0 && !ferror(stdout)
		           ? MCP_EXIT_OK
		           : MCP_EXIT_RUNTIME;
	}
	if (version) {
		mcp_opts_version(stdout, PROG);
		return fflush(stdout) == 0 && !ferror(stdout)
		           ? MCP_EXIT_OK
		           : MCP_EXIT_RUNTIME;
	}
	if (cname == NULL) {
		mcp_err_set(&e, MCP_ERR_USAGE,
		            "missing command: append, verify, show or rotate "
		            "(see --help)");
		goto out;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(cname, commands[c].name) == 0)
			break;
	if (c == sizeof(commands) / sizeof(commands[0])) {
		mcp_err_set(
		    &e, MCP_ERR_USAGE,
		    "unknown command \"%.64s\": append, verify, show or "
		    "rotate",
		    cname);
		goto out;
	}
	/* An option of another sub-command is a mistake, not a no-op. */
	for (i = 0; options[i].name != NULL; i++) {
		if ((given & (1ULL << opt_bit(options[i].val))) &&
		    !(opt_cmds(options[i].val) & commands[c].bit)) {
			mcp_err_set(&e, MCP_ERR_USAGE,
			            "option --%s is not valid for %s",
			            options[i].name, cname);
			goto out;
		}
	}
	if (commands[c].bit == CMD_APPEND) {
		if (optind < argc)
			o.input = argv[optind++];
	}
	if (optind < argc) {
		mcp_err_set(&e, MCP_ERR_USAGE,
		            "%s: unexpected argument \"%.64s\"", cname,
		            argv[optind]);
		goto out;
	}
	mcp_audit_quiet = o.quiet;
	/* Always loaded, also with --log: a site's audit.redact and
	 * audit.syslog must not depend on how the log was named. */
	if (mcp_config_load(&cfg, o.configs, o.nconfigs, 0, &e) < 0)
		goto out;
	o.cfg_redact = (const char *const *)cfg.audit_redact;
	o.ncfg_redact = cfg.naudit_redact;
	if (cfg.audit_syslog)
		o.syslog = 1;
	log = mcp_audit_log_path(&o, &cfg, &e);
	if (log == NULL)
		goto out;
	rc = commands[c].run(&o, log, &e);
	if (rc == 0 && (fflush(stdout) == EOF || ferror(stdout))) {
		mcp_err_sys(&e, MCP_ERR_RUNTIME, "write to stdout failed");
		rc = -1;
	}
out:
	free(log);
	mcp_config_release(&cfg);
	if (rc < 0) {
		mcp_err_print(PROG, &e);
		return mcp_err_exit(&e);
	}
	return MCP_EXIT_OK;
}
