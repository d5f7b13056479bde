/*
 * probe.c: try each confinement mechanism and report what worked.
 *
 * Each check runs in its own forked child, which reports one int on a
 * pipe and exits, so nothing a check changes (a namespace, a seccomp
 * filter, no_new_privs, a dropped capability) touches mcp-exec or the
 * next check.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "doc.h"
#include "io.h"
#include "probe.h"
#include "xalloc.h"

/* Run FN(ARG) in a child; its result (>= 0, or -errno).  -ECHILD when the
 * child could not report. */
static int
in_child(int (*fn)(int), int arg)
{
	int p[2], res = -ECHILD, st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		res = -errno;
		close(p[0]);
		close(p[1]);
		return res;
	}
	if (pid == 0) {
		close(p[0]);
		res = fn(arg);
		(void)mcp_write_all(p[1], &res, sizeof(res));
		_exit(0);
	}
	close(p[1]);
	if (mcp_read_full(p[0], &res, sizeof(res)) != sizeof(res))
		res = -ECHILD;
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		continue;
	return res;
}

static int
try_unshare(int flags)
{
	return unshare(flags) == 0 ? 0 : -errno;
}

static int
try_landlock(int unused)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                   LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? -errno : (int)abi;
}

static int
try_nnp(int unused)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : -EINVAL;
}

static int
try_seccomp(int unused)
{
	/* A filter that allows everything: installing it is the test. */
	struct sock_filter allow[] = {
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {1, allow};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

static int
try_capbset(int unused)
{
	return prctl(PR_CAPBSET_DROP, 21 /* CAP_SYS_ADMIN */, 0, 0, 0) == 0
	           ? 0
	           : -errno;
}

static json_t *
answer(int rc, const char *yes)
{
	if (rc >= 0)
		return json_string(yes);
	return json_sprintf("no: %s", strerror(-rc));
}

static json_t *
namespaces(void)
{
	static const struct {
		const char *name;
		int flag;
	} ns[] = {
	    {"user", CLONE_NEWUSER},     {"mount", CLONE_NEWNS},
	    {"pid", CLONE_NEWPID},       {"net", CLONE_NEWNET},
	    {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
	    {"cgroup", CLONE_NEWCGROUP},
	};
	json_t *o = json_object();
	size_t i;
	int rc;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		rc = in_child(try_unshare, ns[i].flag);
		/* Without CAP_SYS_ADMIN, the others need a user namespace. */
		if (rc == -EPERM && ns[i].flag != CLONE_NEWUSER &&
		    in_child(try_unshare, ns[i].flag | CLONE_NEWUSER) == 0) {
			json_object_set_new(
			    o, ns[i].name,
			    json_string("yes: inside a user namespace"));
			continue;
		}
		json_object_set_new(o, ns[i].name, answer(rc, "yes"));
	}
	return o;
}

json_t *
probe_run(void)
{
	json_t *d = mcp_doc_new("mcp.probe/v1");
	struct utsname u;
	int abi;

	json_object_set_new(
	    d, "kernel", json_string(uname(&u) == 0 ? u.release : "unknown"));
	json_object_set_new(d, "uid", json_integer(getuid()));
	json_object_set_new(d, "euid", json_integer(geteuid()));
	json_object_set_new(d, "cgroup", cgroup_probe());
	json_object_set_new(d, "namespaces", namespaces());
	abi = in_child(try_landlock, 0);
	json_object_set_new(d, "landlock",
	                    abi >= 0 ? json_sprintf("yes: ABI %d", abi)
	                             : answer(abi, ""));
	json_object_set_new(d, "landlock_abi",
	                    abi >= 0 ? json_integer(abi) : json_null());
	json_object_set_new(d, "seccomp",
	                    answer(in_child(try_seccomp, 0), "yes"));
	json_object_set_new(d, "no_new_privs",
	                    answer(in_child(try_nnp, 0), "yes"));
	json_object_set_new(
	    d, "capability_bounding_set",
	    answer(in_child(try_capbset, 0), "yes: can be dropped"));
	return d;
}

static void
print_leaves(FILE *f, const char *prefix, const json_t *v)
{
	const char *k;
	json_t *m;
	char *name, *s;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, m)
		{
			if (*prefix == '\0' && strcmp(k, "kind") == 0)
				continue;
			name = *prefix ? xasprintf("%s.%s", prefix, k)
			               : xstrdup(k);
			print_leaves(f, name, m);
			free(name);
		}
		return;
	}
	if (json_is_string(v)) {
		fprintf(f, "%s: %s\n", prefix, json_string_value(v));
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY);
	if (s == NULL)
		mcp_oom();
	fprintf(f, "%s: %s\n", prefix, s);
	free(s);
}

void
probe_print(FILE *f, const json_t *doc)
{
	print_leaves(f, "", doc);
}
