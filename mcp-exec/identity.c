/*
 * identity.c: uid/gid switch and capabilities, in s6's order.
 *
 * Invariant: the server never runs as uid 0 or with a capability
 * (DESIGN.md invariant 3).  The order is fixed: bounding set first (it
 * needs CAP_SETPCAP, which the uid switch takes away), then setgroups,
 * setgid, setuid (setgroups and setgid need privileges setuid drops),
 * then a check that setuid(0)/setgid(0) fail, then the sets are cleared.
 * The effective uid is changed once, with setresuid, never toggled.
 */
#include <mcp-config.h>

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "identity.h"

static int
parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out < 4294967295UL ? 0 : -1;
}

/* The highest capability this kernel knows. */
static int
last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = CAP_LAST_CAP;

	if (f != NULL) {
		/* NOLINTNEXTLINE(cert-err34-c): the kernel's own number */
		if (fscanf(f, "%d", &n) != 1)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

int
identity_resolve(const char *user, const char *group, struct identity *id,
                 struct mcp_err *e)
{
	struct passwd *pw = NULL;
	struct group *gr;
	unsigned long v;

	id->last_cap = last_cap();
	id->switch_ids = geteuid() == 0 || getuid() == 0;
	id->uid = getuid();
	id->gid = getgid();
	if (!id->switch_ids) {
		if (user != NULL || group != NULL)
			return mcp_err_set(e, MCP_ERR_USAGE,
			                   "option --%s: only root can choose "
			                   "the server's identity",
			                   user ? "user" : "group");
		return 0;
	}
	id->uid = IDENTITY_DEFAULT_ID;
	id->gid = IDENTITY_DEFAULT_ID;
	if (user != NULL) {
		if (parse_id(user, &v) == 0) {
			id->uid = (uid_t)v;
		} else if ((pw = getpwnam(user)) != NULL) {
			id->uid = pw->pw_uid;
			id->gid =
			    pw->pw_gid; /* the user's group, unless --group */
		} else {
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "option --user: no such user \"%.64s\"", user);
		}
	}
	if (group != NULL) {
		if (parse_id(group, &v) == 0)
			id->gid = (gid_t)v;
		else if ((gr = getgrnam(group)) != NULL)
			id->gid = gr->gr_gid;
		else
			return mcp_err_set(
			    e, MCP_ERR_USAGE,
			    "option --group: no such group \"%.64s\"", group);
	}
	if (id->uid == 0 || id->gid == 0)
		return mcp_err_set(
		    e, MCP_ERR_USAGE,
		    "option --%s: the server never runs as root (id 0)",
		    id->uid == 0 ? "user" : "group");
	return 0;
}

int
identity_drop_bounding(const struct identity *id, char *why, size_t n)
{
	int cap, top = id->last_cap;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL) {
		snprintf(why, n, "clearing the ambient set: %s",
		         strerror(errno));
		return -1;
	}
	for (cap = 0; cap <= top; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EPERM) {
			/* No CAP_SETPCAP (not root): no_new_privs keeps
			 * file capabilities from being gained instead. */
			snprintf(why, n,
			         "bounding set kept (no CAP_SETPCAP); "
			         "no_new_privs stops file capabilities");
			return 1;
		}
		snprintf(why, n, "dropping capability %d: %s", cap,
		         strerror(errno));
		return -1;
	}
	return 0;
}

int
identity_switch(const struct identity *id, char *why, size_t n)
{
	uid_t r, ef, s;
	gid_t rg, eg, sg;

	if (!id->switch_ids)
		return 0;
	if (setgroups(0, NULL) < 0) {
		snprintf(why, n, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(id->gid, id->gid, id->gid) < 0) {
		snprintf(why, n, "setresgid %lu: %s", (unsigned long)id->gid,
		         strerror(errno));
		return -1;
	}
	if (setresuid(id->uid, id->uid, id->uid) < 0) {
		snprintf(why, n, "setresuid %lu: %s", (unsigned long)id->uid,
		         strerror(errno));
		return -1;
	}
	/* Trust nothing: the ids must be the new ones everywhere, and the
	 * way back to root must be closed. */
	if (getresuid(&r, &ef, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    r != id->uid || ef != id->uid || s != id->uid || rg != id->gid ||
	    eg != id->gid || sg != id->gid || getgroups(0, NULL) != 0) {
		snprintf(why, n, "ids not changed as asked");
		return -1;
	}
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 ||
	    setegid(0) == 0) {
		snprintf(why, n, "uid 0 can still be regained");
		return -1;
	}
	return 0;
}

int
identity_clear_caps(char *why, size_t n)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	/* Dropping capabilities is always allowed; raw syscalls, as
	 * libcap would only wrap them. */
	if (syscall(SYS_capset, &h, d) < 0) {
		snprintf(why, n, "capset: %s", strerror(errno));
		return -1;
	}
	if (syscall(SYS_capget, &h, d) < 0) {
		snprintf(why, n, "capget: %s", strerror(errno));
		return -1;
	}
	if (d[0].effective | d[0].permitted | d[0].inheritable |
	    d[1].effective | d[1].permitted | d[1].inheritable) {
		snprintf(why, n, "capabilities still held after capset");
		return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SYS_ADMIN, 0, 0) >
	    0) {
		snprintf(why, n, "ambient capabilities still held");
		return -1;
	}
	return 0;
}
