/*
 * mcp-policy: judge a verified package by the site's policy and write the
 * sandbox specification mcp-exec runs it under (mcp-policy(1)).
 *
 * The story: read the mcp.verified/v1 document; load the configuration
 * files (system, user, --config) and merge their policy sections so that
 * a later file can only tighten; apply every rule; write one mcp.spec/v1
 * document (exit 0) or one mcp.denied/v1 document with every reason on
 * stderr (exit 3).  --explain prints the decisions as a table instead;
 * --check validates one configuration file alone.
 */
#include <mcp-config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "doc.h"
#include "err.h"
#include "opts.h"
#include "oci.h"
#include "policy.h"
#include "spec.h"

static const char prog[] = "mcp-policy";

enum { OPT_EXPLAIN = 256, OPT_CHECK, OPT_OCI };

/* One table for getopt_long and --help, so t0001 can hold them to the
 * man page. */
static const struct mcp_opt options[] = {
    {"config", required_argument, 'c', "FILE",
     "read FILE after the system and user files (repeatable)"},
    {"explain", no_argument, OPT_EXPLAIN, NULL,
     "print the decisions as a table instead of the document"},
    {"check", required_argument, OPT_CHECK, "FILE",
     "validate the configuration FILE alone and exit"},
    {"oci", required_argument, OPT_OCI, "DIR",
     "also write the spec as an OCI runtime bundle in the new DIR"},
    {"quiet", no_argument, 'q', NULL, "print no warnings"},
    {"verbose", no_argument, 'v', NULL,
     "say which configuration files were read"},
    {"help", no_argument, 'h', NULL, "print this help and exit"},
    {"version", no_argument, 'V', NULL, "print the version and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const char usage[] =
    "mcp-policy [--config FILE]... [--explain] [--oci DIR] [VERIFIED-DOC|-]\n"
    "mcp-policy --check FILE\n";

static const char summary[] =
    "Apply the policy of the configuration files to a verified package and\n"
    "write its sandbox specification (mcp.spec/v1), or refuse it\n"
    "(mcp.denied/v1, exit 3).";

struct args {
	char **configs;
	size_t nconfigs;
	const char *check;
	const char *oci;
	const char *input;
	int explain, quiet, verbose;
};

/*
 * --config may repeat (each file is a layer); every other option may not.
 * --check is a mode of its own: it takes no document and reads no other
 * file, so an administrator can validate a file before installing it.
 */
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
		case 'c':
			/* Repeatable: each file is one more layer. */
			if (a->nconfigs >= MCP_CONFIG_MAX_FILES)
				return mcp_err_set(
				    e, MCP_ERR_USAGE,
				    "too many --config files (at most %d)",
				    MCP_CONFIG_MAX_FILES);
			a->configs[a->nconfigs++] = optarg;
			break;
		case OPT_EXPLAIN:
			if (mcp_opt_once(&seen, 0, "explain", e) < 0)
				return -1;
			a->explain = 1;
			break;
		case OPT_CHECK:
			if (mcp_opt_once(&seen, 1, "check", e) < 0)
				return -1;
			a->check = optarg;
			break;
		case 'q':
			if (mcp_opt_once(&seen, 2, "quiet", e) < 0)
				return -1;
			a->quiet = 1;
			break;
		case 'v':
			if (mcp_opt_once(&seen, 3, "verbose", e) < 0)
				return -1;
			a->verbose = 1;
			break;
		case OPT_OCI:
			if (mcp_opt_once(&seen, 4, "oci", e) < 0)
				return -1;
			a->oci = optarg;
			break;
		case 'h':
			mcp_opts_help(stdout, usage, summary, options);
			*done = 1;
			return 0;
		case 'V':
			mcp_opts_version(stdout, prog);
			*done = 1;
			return 0;
		default:
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "unrecognized option or missing argument: %s",
			    argv[optind - 1]);
		}
	}
	if (a->quiet && a->verbose)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "--quiet and --verbose conflict");
	if (a->check != NULL) {
		if (a->explain || a->oci != NULL || a->nconfigs > 0 ||
		    optind < argc)
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "--check takes one file and no other input");
		return 0;
	}
	if (argc - optind > 1)
		return mcp_err_set(e, MCP_ERR_USAGE,
		                   "one input document at most (got %d)",
		                   argc - optind);
	a->input = optind < argc ? argv[optind] : "-";
	return 0;
}

/* An informational line for --verbose: not a warning, but as escaped. */
static void
note(const char *before, const char *arg, const char *after)
{
	char buf[4 * MCP_ERR_MSG_MAX + 1];

	mcp_escape(buf, sizeof(buf), arg);
	fprintf(stderr, "%s: %s%s%s\n", prog, before, buf, after);
}

/* Merge every layer's policy section, in order, into P. */
static int
load_policy(const struct mcp_config *c, struct mcp_policy *p, int verbose,
            struct mcp_err *e)
{
	size_t i;

	for (i = 0; i < c->nlayers; i++) {
		const struct mcp_config_layer *l = &c->layers[i];

		if (verbose)
			note("read ", l->doc->file,
			     l->policy ? " (policy)" : "");
		if (l->policy == NULL)
			continue;
		if (mcp_policy_add(p, l->doc->file, l->policy, e) < 0)
			return -1;
	}
	return 0;
}

/* Warnings after the document: stdout is complete before stderr talks,
 * and a reader of both sees the result first. */
static void
print_warnings(const struct mcp_policy *p, const struct mcp_eval *ev)
{
	size_t i;
	json_t *d;

	for (i = 0; i < p->nwarnings; i++)
		mcp_warn(prog, "%s", p->warnings[i]);
	for (i = 0; i < json_array_size(ev->warnings); i++)
		mcp_warn(prog, "%s",
		         json_string_value(json_array_get(ev->warnings, i)));
	json_array_foreach(ev->dropped, i, d)
	    mcp_warn(prog, "dropped: %s",
	             json_string_value(json_object_get(d, "message")));
}

/* One line per reason: a script greps them, a person reads them all. */
static void
print_denied(const struct mcp_eval *ev)
{
	char buf[4 * MCP_ERR_MSG_MAX + 1];
	const char *msg;
	json_t *r;
	size_t i;

	json_array_foreach(ev->reasons, i, r)
	{
		msg = json_string_value(json_object_get(r, "message"));
		mcp_escape(buf, sizeof(buf), msg ? msg : "");
		fprintf(stderr, "%s: denied: %s\n", prog, buf);
	}
}

/* The table is written with stdio: a full disk must not look like
 * success (jq's rule). */
static int
flush_stdout(struct mcp_err *e)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		return mcp_err_sys(e, MCP_ERR_RUNTIME,
		                   "write to stdout failed");
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const kinds[] = {MCP_KIND_VERIFIED, NULL};
	char *configs[MCP_CONFIG_MAX_FILES];
	struct args a = {.configs = configs};
	struct mcp_config cfg;
	struct mcp_policy pol;
	struct mcp_eval ev;
	struct mcp_err e;
	json_t *in = NULL;
	char *oci = NULL;
	int done = 0, status;
	const char *label;

	mcp_err_init(&e);
	mcp_config_init(&cfg);
	mcp_policy_init(&pol);
	mcp_eval_init(&ev);
	if (mcp_std_fds() < 0) {
		mcp_err_sys(&e, MCP_ERR_RUNTIME, "cannot open /dev/null");
		goto out;
	}
	if (parse_args(argc, argv, &a, &done, &e) < 0)
		goto out;
	if (done) {
		flush_stdout(&e);
		goto out;
	}

	if (a.check != NULL) {
		/* One file alone: every section checked, no layering. */
		char *one[1] = {(char *)a.check};

		if (mcp_config_load(&cfg, one, 1, 1, &e) < 0 ||
		    load_policy(&cfg, &pol, a.verbose, &e) < 0)
			goto out;
		if (a.verbose)
			note("", a.check, ": ok");
		goto out;
	}

	/* --oci: the directory is checked before any work, and written
	 * (but for --explain, a dry run) only for a spec, before it. */
	if (a.oci != NULL && !a.explain &&
	    (oci = mcp_oci_target(a.oci, &e)) == NULL)
		goto out;
	if ((in = mcp_doc_read(a.input, kinds, &e)) == NULL)
		goto out;
	label = strcmp(a.input, "-") == 0 ? "<stdin>" : a.input;
	if (mcp_config_load(&cfg, a.configs, a.nconfigs, 0, &e) < 0 ||
	    load_policy(&cfg, &pol, a.verbose, &e) < 0)
		goto out;
	if (mcp_spec_build(&pol, in, label,
	                   a.explain ? a.oci : oci, &ev, &e) < 0)
		goto out;
	if (oci != NULL && !ev.denied && mcp_oci_write(oci, ev.doc, &e) < 0)
		goto out;

	if (a.explain) {
		mcp_explain_print(stdout, &pol, &ev);
		if (flush_stdout(&e) < 0)
			goto out;
	} else if (mcp_doc_write(stdout, ev.doc, &e) < 0) {
		goto out;
	}
	if (!a.quiet)
		print_warnings(&pol, &ev);
	if (ev.denied) {
		print_denied(&ev);
		mcp_err_set(&e, MCP_ERR_DENIED, "denied");
	}
out:
	status = mcp_err_exit(&e);
	/* A refusal was already printed reason by reason. */
	if (e.cat != MCP_ERR_NONE && e.cat != MCP_ERR_DENIED)
		mcp_err_print(prog, &e);
	json_decref(in);
	free(oci);
	mcp_eval_release(&ev);
	mcp_policy_release(&pol);
	mcp_config_release(&cfg);
	if (fclose(stdout) == EOF && status == MCP_EXIT_OK) {
		mcp_err_print(prog,
		              &(struct mcp_err){MCP_ERR_RUNTIME, 0,
		                                "write to stdout failed"});
		status = MCP_EXIT_RUNTIME;
	}
	return status;
}
