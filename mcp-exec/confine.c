/*
 * confine.c: apply the layers in the child, in a fixed order, then exec.
 *
 * The order (also in mcp-exec(1)); each step is checked and reported:
 *   new session (setsid) - not a layer: the parent signals the group
 *   1 fds           close every descriptor but 0, 1, 2 (and this run's
 *                   two close-on-exec pipes)
 *   2 environment   the spec's environment only (built by the parent)
 *   (the mount, ipc, uts and net namespaces are unshared first, ns.c:
 *   the slow part, while the parent creates the cgroups)
 *   3 cgroup        born in the v2 one (clone3); wait until the parent
 *                   made the others, join the v1 ones (cgroup.h)
 *   4 namespaces    ns.c: the cgroup namespace (the pid and user ones
 *                   came with clone), the private root; network
 *                   allowlist: the relay's sockets, sent to the parent
 *   5 rlimits       limits.c
 *   6 capabilities  bounding and ambient sets dropped
 *   7 identity      setgroups, setgid, setuid; old ids checked gone;
 *                   effective, permitted, inheritable sets cleared
 *   8 no_new_privs  PR_SET_NO_NEW_PRIVS
 *   9 landlock      landlock.c, rules listed by the parent
 *   then umask, chdir (as the server's user), parent-death signal, wait
 *   for the start record; in a pid namespace fork the server and stay as
 *   its init (ns.c); then
 *  10 seccomp       seccomp.c, compiled by the parent, loaded last
 *   and execve.
 * The child is single-threaded (mcp-exec never starts a thread), so
 * malloc would be safe, but from the rlimits on nothing here allocates:
 * the run's memory limits already hold, and a small one must not break
 * the set-up.  Everything was prepared before fork or arrives in
 * fixed-size buffers (confine.h).
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"
#include "err.h"
#include "io.h"
#include "relay.h"

static void
send_msg(struct confine_plan *p, int type, int layer, int code, int err,
         const char *text)
{
	struct child_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.layer = layer;
	m.code = code;
	m.err = err;
	snprintf(m.text, sizeof(m.text), "%s", text);
	/* Nothing to do if the parent is gone: the exit status remains. */
	(void)mcp_write_all(p->status_fd, &m, sizeof(m));
}

static void report(struct confine_plan *p, enum layer l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(struct confine_plan *p, enum layer l, const char *fmt, ...)
{
	char text[LAYER_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	send_msg(p, MSG_LAYER, (int)l, 0, 0, text);
}

static void __attribute__((noreturn))
fail(struct confine_plan *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct confine_plan *p, int code, const char *fmt, ...)
{
	char text[LAYER_TEXT];
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	send_msg(p, MSG_FAIL, 0, code, err, text);
	_exit(code);
}

/* Close every fd from LO up to but not including HI. */
static int
close_between(unsigned lo, unsigned hi)
{
	if (lo >= hi)
		return 0;
	if (close_range(lo, hi - 1, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	/* Kernels before 5.9: close them one by one. */
	long max = sysconf(_SC_OPEN_MAX);
	unsigned fd, top = max < 0 || max > 1048576 ? 1048576 : (unsigned)max;

	for (fd = lo; fd < hi && fd < top; fd++)
		close((int)fd);
	return 0;
}

static void
close_fds(struct confine_plan *p)
{
	unsigned a = (unsigned)p->status_fd, b = (unsigned)p->go_fd, t;

	if (a > b) {
		t = a;
		a = b;
		b = t;
	}
	if (close_between(3, a) < 0 || close_between(a + 1, b) < 0 ||
	    close_between(b + 1, ~0U) < 0)
		fail(p, MCP_EXIT_SETUP, "fds: close_range: %s",
		     strerror(errno));
	report(p, L_FDS, "applied");
}

/* One byte from the parent: 1 to go on, 0 when the parent gave up. */
/* The filter's instructions, received with 'x': static, so that nothing
 * is allocated after the rlimits. */
static struct sock_filter filter_buf[BPF_MAXINSNS];

/* N bytes from the parent; a short read means it died or refused. */
static void
read_parent(struct confine_plan *p, void *buf, size_t n)
{
	if (mcp_read_full(p->go_fd, buf, n) != (ssize_t)n)
		_exit(MCP_EXIT_SETUP);
}

/* The go-ahead TAG (confine.h). */
static void
wait_parent(struct confine_plan *p, char tag)
{
	char c;

	read_parent(p, &c, 1);
	if (c != tag)
		_exit(MCP_EXIT_SETUP);
}

int
confine_go_maps(int fd)
{
	return mcp_write_all(fd, "g", 1);
}

int
confine_go_cgroups(int fd, const struct rlimits_plan *rl,
                   const struct cgroup_run *cg, const struct ns_plan *ns)
{
	char head[1 + sizeof(*rl) + sizeof(ns->passwd) + sizeof(ns->group) +
	          sizeof(unsigned)];
	char *h = head;
	static char list[CGROUP_V1_LIST_MAX];
	size_t len = cgroup_v1_list(cg, list, sizeof(list));
	unsigned ul = (unsigned)len;

	if (len == (size_t)-1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	*h++ = 'c';
	memcpy(h, rl, sizeof(*rl));
	h += sizeof(*rl);
	memcpy(h, ns->passwd, sizeof(ns->passwd));
	h += sizeof(ns->passwd);
	memcpy(h, ns->group, sizeof(ns->group));
	h += sizeof(ns->group);
	memcpy(h, &ul, sizeof(ul));
	if (mcp_write_all(fd, head, sizeof(head)) < 0)
		return -1;
	return len > 0 ? mcp_write_all(fd, list, len) : 0;
}

int
confine_go_exec(int fd, const struct seccomp_plan *sc)
{
	unsigned short len = sc->prog != NULL ? sc->len : 0;
	char head[1 + sizeof(len)];

	head[0] = 'x';
	memcpy(head + 1, &len, sizeof(len));
	if (mcp_write_all(fd, head, sizeof(head)) < 0)
		return -1;
	return len > 0 ? mcp_write_all(fd, sc->prog, len * sizeof(*sc->prog))
	               : 0;
}

/* 'x': the filter, into P->sc. */
static void
wait_exec(struct confine_plan *p)
{
	unsigned short len;

	wait_parent(p, 'x');
	read_parent(p, &len, sizeof(len));
	if (len > BPF_MAXINSNS)
		_exit(MCP_EXIT_SETUP);
	read_parent(p, filter_buf, len * sizeof(*filter_buf));
	p->sc.prog = len > 0 ? filter_buf : NULL;
	p->sc.len = len;
}

/* 'c', then into the run's v1 cgroups: before anything but set-up runs
 * here, and before the cgroup namespace is unshared. */
static void
join_cgroups(struct confine_plan *p)
{
	static char list[CGROUP_V1_LIST_MAX];
	char why[LAYER_TEXT];
	unsigned len;

	wait_parent(p, 'c');
	read_parent(p, &p->rl, sizeof(p->rl));
	read_parent(p, p->ns->passwd, sizeof(p->ns->passwd));
	read_parent(p, p->ns->group, sizeof(p->ns->group));
	p->ns->passwd[sizeof(p->ns->passwd) - 1] = '\0';
	p->ns->group[sizeof(p->ns->group) - 1] = '\0';
	read_parent(p, &len, sizeof(len));
	if (len > sizeof(list))
		_exit(MCP_EXIT_SETUP);
	read_parent(p, list, len);
	if (len > 0 && list[len - 1] != '\0')
		_exit(MCP_EXIT_SETUP);
	if (cgroup_join_self(list, len, why, sizeof(why)) < 0)
		fail(p, MCP_EXIT_SETUP, "cgroup: %s", why);
}

static void
enter_namespaces(struct confine_plan *p)
{
	char st[LAYER_TEXT], why[LAYER_TEXT];

	if (ns_enter(p->ns, st, sizeof(st), why, sizeof(why)) < 0)
		fail(p, MCP_EXIT_SETUP, "namespaces: %s", why);
	report(p, L_NS, "%s", st);
}

/* Network mode allowlist in a new network namespace: create the DNS
 * stub's and the relays' sockets here and hand them to the parent, which
 * serves them from the host's network; transport http: hand it the
 * namespaces.  Not kept by the child. */
static void
relay_handoff(struct confine_plan *p)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * (RELAY_MAX_FDS + 2))];
		struct cmsghdr align;
	} u;
	int fds[RELAY_MAX_FDS + 2], n = 0, k = 0, i;
	char why[LAYER_TEXT];
	struct child_msg m;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh;
	struct cmsghdr *cm;

	if ((p->spec->net != NET_ALLOWLIST && p->spec->bind_port == 0) ||
	    !p->ns->root || !(p->ns->unshare_flags & CLONE_NEWNET))
		return;
	if (p->spec->net == NET_ALLOWLIST &&
	    (n = relay_sockets(p->spec, fds, why, sizeof(why))) < 0)
		fail(p, MCP_EXIT_SETUP, "network: %s", why);
	/* transport http: the namespaces, for the parent to reach the
	 * server's port from the host's loopback. */
	if (p->spec->bind_port != 0) {
		if ((fds[n + k++] = open("/proc/self/ns/net",
		                         O_RDONLY | O_CLOEXEC)) < 0 ||
		    (p->ns->userns &&
		     (fds[n + k++] = open("/proc/self/ns/user",
		                          O_RDONLY | O_CLOEXEC)) < 0))
			fail(p, MCP_EXIT_SETUP, "transport: /proc/self/ns: %s",
			     strerror(errno));
	}
	memset(&m, 0, sizeof(m));
	m.type = MSG_NETFDS;
	m.code = n;
	m.layer = k;
	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)(n + k));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)(n + k));
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)(n + k));
	while (sendmsg(p->status_fd, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			fail(p, MCP_EXIT_SETUP, "network: sendmsg: %s",
			     strerror(errno));
	for (i = 0; i < n + k; i++)
		close(fds[i]);
}

/* The init's report: the server's wait status, to the parent. */
static void
report_exit(void *arg, int status)
{
	send_msg(arg, MSG_EXIT, 0, status, 0, "");
}

static void
landlock(struct confine_plan *p)
{
	char st[LAYER_TEXT], why[LAYER_TEXT];

	if (landlock_apply(p->ll, p->ns->pidns && p->ns->root, st, sizeof(st),
	                   why, sizeof(why)) < 0)
		fail(p, MCP_EXIT_SETUP, "%s", why);
	report(p, L_LANDLOCK, "%s", st);
}

/* The system call filter, last before execve (and in the init). */
static int
lock(void *arg)
{
	const struct confine_plan *p = arg;

	return seccomp_plan_load(&p->sc);
}

static void
set_limits(struct confine_plan *p)
{
	char why[LAYER_TEXT];
	int rc = limits_apply(&p->rl, why, sizeof(why));

	if (rc < 0)
		fail(p, MCP_EXIT_SETUP, "rlimits: %s", why);
	if (rc > 0)
		report(p, L_RLIMITS, "degraded: %.180s", why);
	else
		report(p, L_RLIMITS, "applied");
}

static void
drop_privileges(struct confine_plan *p)
{
	char why[LAYER_TEXT], caps[LAYER_TEXT] = "applied";
	int rc;

	rc = identity_drop_bounding(&p->id, why, sizeof(why));
	if (rc < 0)
		fail(p, MCP_EXIT_SETUP, "capabilities: %s", why);
	if (rc > 0)
		snprintf(caps, sizeof(caps), "degraded: %.180s", why);
	if (identity_switch(&p->id, why, sizeof(why)) < 0)
		fail(p, MCP_EXIT_SETUP, "identity: %s", why);
	if (identity_clear_caps(why, sizeof(why)) < 0)
		fail(p, MCP_EXIT_SETUP, "capabilities: %s", why);
	report(p, L_CAPS, "%s", caps);
	/* Unprivileged either way: switched from root, or never root. */
	if (getuid() == 0 || geteuid() == 0)
		fail(p, MCP_EXIT_SETUP, "identity: still uid 0");
	report(p, L_IDENTITY, "applied");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fail(p, MCP_EXIT_SETUP, "no_new_privs: %s", strerror(errno));
	report(p, L_NNP, "applied");
}

void
confine_exec(struct confine_plan *p)
{
	const struct mcp_spec *s = p->spec;
	sigset_t none;
	pid_t parent = getppid();

	/* Own session and process group: the parent signals the whole
	 * group, and without a controlling terminal the server cannot
	 * push input into the caller's one with TIOCSTI (CVE-2017-5226). */
	if (setsid() < 0)
		fail(p, MCP_EXIT_SETUP, "setsid: %s", strerror(errno));
	close_fds(p);
	report(p, L_ENV, "applied");
	wait_parent(p, 'g');
	ns_unshare(p->ns);
	join_cgroups(p);
	enter_namespaces(p);
	relay_handoff(p);
	if (p->ns->nsecrets > 0 && !p->ns->root)
		fail(p, MCP_EXIT_SETUP,
		     "process.secrets: delivery as a file needs the private "
		     "root, which the namespaces layer did not build");
	set_limits(p);
	drop_privileges(p);
	landlock(p);
	umask(s->umask);
	if (chdir(s->cwd) < 0)
		fail(p, MCP_EXIT_SETUP, "cwd %s: %s", s->cwd, strerror(errno));
	/* If mcp-exec dies, so does the server.  Set after the uid switch,
	 * which clears it; then check the parent did not die before. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    getppid() != parent)
		_exit(MCP_EXIT_SETUP);
	send_msg(p, MSG_READY, 0, 0, 0, "");
	/* The filter, loaded at the last moment: a failure to load is a
	 * failed set-up (125), never a server running without it. */
	wait_exec(p);
	/* pid 1 of the run's pid namespace forks the server and stays. */
	if (p->ns->pidns && ns_init(lock, report_exit, p) < 0)
		fail(p, MCP_EXIT_SETUP, "fork: %s", strerror(errno));

	/* The parent blocked these for its signalfd; the server gets the
	 * caller's mask and dispositions, except SIGPIPE (see main). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (lock(p) < 0)
		fail(p, MCP_EXIT_SETUP, "seccomp: %s", strerror(errno));
	execve(s->argv[0], (char *const *)s->argv, p->envp);
	if (errno == ENOENT || errno == ENOTDIR)
		fail(p, MCP_EXIT_NOTFOUND, "%s: %s", s->argv[0],
		     strerror(errno));
	if (errno == EACCES || errno == ENOEXEC || errno == EPERM)
		fail(p, MCP_EXIT_NOEXEC, "%s: %s", s->argv[0], strerror(errno));
	fail(p, MCP_EXIT_SETUP, "%s: %s", s->argv[0], strerror(errno));
}
