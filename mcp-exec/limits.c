/*
 * limits.c: rlimits for the server, as a backstop under the cgroup.
 *
 * The values (also in mcp-exec(1)):
 *   RLIMIT_NOFILE  limits.fds, soft = hard
 *   RLIMIT_CORE    0: a core dump could hold the secrets of the environment
 *   RLIMIT_FSIZE   1 GiB
 *   RLIMIT_CPU     soft: timeout in seconds x CPUs granted (rounded up);
 *                  hard: soft + 5 s, so SIGXCPU comes before SIGKILL
 *   RLIMIT_DATA    2 x limits.memory_bytes (at least 64 MiB); not
 *                  RLIMIT_AS, which breaks runtimes that reserve address
 *                  space (V8, Go, the JVM)
 *   RLIMIT_NPROC   only without a pids cgroup: limits.pids + the tasks
 *     the server's uid already has.  The kernel counts RLIMIT_NPROC per
 *     user but checks it only in the process that carries the limit, so
 *     this lets the server create at most limits.pids more tasks and never
 *     stops any other process of the user; but other processes of the same
 *     uid (another run, as 65534) can use up its share, so with a pids
 *     cgroup, which counts the run alone, RLIMIT_NPROC is left as it is.
 */
#include <mcp-config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "limits.h"
#include "sandbox.h"

/* Tasks (threads included: RLIMIT_NPROC counts tasks) owned by UID. */
static unsigned long long
count_tasks(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], line[256];
	unsigned long long n = 0, threads;
	long ruid;
	FILE *f;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/status", de->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue; /* gone since readdir */
		ruid = -1;
		threads = 0;
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "Uid:", 4) == 0)
				ruid = strtol(line + 4, NULL, 10);
			else if (strncmp(line, "Threads:", 8) == 0)
				threads = strtoull(line + 8, NULL, 10);
		}
		fclose(f);
		if (ruid >= 0 && (uid_t)ruid == uid)
			n += threads;
	}
	closedir(d);
	return n;
}

void
limits_plan(const struct spec_limits *l, uid_t uid, int pids_cgroup,
            struct rlimits_plan *p)
{
	struct mcp_sandbox_rlimits r;

	/* The same numbers as an OCI bundle's process.rlimits (sandbox.h). */
	mcp_sandbox_rlimits(l->cpu_millicores, l->memory_bytes, l->fds,
	                    l->timeout_ms, &r);
	p->nofile = r.nofile;
	p->nproc = pids_cgroup ? RLIM_INFINITY : l->pids + count_tasks(uid);
	p->cpu_soft = r.cpu_soft;
	p->cpu_hard = r.cpu_hard;
	p->data = r.data;
	p->fsize = r.fsize;
}

/* Set soft = hard = V, or the current hard limit if that is lower and
 * cannot be raised.  Returns 0, 1 (lowered) or -1. */
static int
set_one(int res, rlim_t soft, rlim_t hard, rlim_t *applied)
{
	struct rlimit r = {soft, hard}, cur;

	if (setrlimit(res, &r) == 0) {
		*applied = soft;
		return 0;
	}
	/* Raising above the hard limit needs CAP_SYS_RESOURCE: lower to it. */
	if (errno != EPERM || getrlimit(res, &cur) < 0 || cur.rlim_max >= hard)
		return -1;
	r.rlim_max = cur.rlim_max;
	r.rlim_cur = soft < cur.rlim_max ? soft : cur.rlim_max;
	if (setrlimit(res, &r) < 0)
		return -1;
	*applied = r.rlim_cur;
	return 1;
}

int
limits_apply(struct rlimits_plan *p, char *why, size_t n)
{
	static const struct {
		int res;
		const char *name;
	} names[] = {
	    {RLIMIT_NOFILE, "RLIMIT_NOFILE"}, {RLIMIT_NPROC, "RLIMIT_NPROC"},
	    {RLIMIT_CPU, "RLIMIT_CPU"},       {RLIMIT_DATA, "RLIMIT_DATA"},
	    {RLIMIT_FSIZE, "RLIMIT_FSIZE"},   {RLIMIT_CORE, "RLIMIT_CORE"},
	};
	rlim_t *vals[] = {&p->nofile, &p->nproc, &p->cpu_soft,
	                  &p->data,   &p->fsize, NULL};
	rlim_t core = 0;
	size_t i;
	int rc, ret = 0;

	why[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rlim_t *v = vals[i] ? vals[i] : &core;
		/* vals[i] is NULL for RLIMIT_CORE only, never because P is:
		 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		rlim_t hard = names[i].res == RLIMIT_CPU ? p->cpu_hard : *v;

		if (names[i].res == RLIMIT_NPROC && *v == RLIM_INFINITY)
			continue; /* the pids cgroup holds */

		rc = set_one(names[i].res, *v, hard, v);
		if (rc < 0) {
			snprintf(why, n, "%s: %s", names[i].name,
			         strerror(errno));
			return -1;
		}
		if (rc > 0 && ret == 0) {
			snprintf(why, n, "%s lowered to the hard limit %llu",
			         names[i].name, (unsigned long long)*v);
			ret = 1;
		}
	}
	return ret;
}

json_t *
limits_json(const struct rlimits_plan *p)
{
	return json_pack("{s:I,s:o,s:I,s:I,s:I,s:I}", "nofile",
	                 (json_int_t)p->nofile, "nproc",
	                 p->nproc == RLIM_INFINITY
	                     ? json_null()
	                     : json_integer((json_int_t)p->nproc),
	                 "cpu_seconds", (json_int_t)p->cpu_soft, "data_bytes",
	                 (json_int_t)p->data, "fsize_bytes",
	                 (json_int_t)p->fsize, "core_bytes", (json_int_t)0);
}
