/*
 * supervise.c: the parent side of a run.
 *
 * Invariants:
 *  - the child execs only after it is in the run's cgroup, every layer
 *    reported, every required layer applied, and the start record written;
 *  - nothing the run started outlives it: after the server exits (or is
 *    killed on timeout), whatever is left in its process group and in its
 *    cgroup (or, without one, below mcp-exec: a child subreaper, so
 *    double-forked daemons are reparented here) is killed and reaped, and
 *    the cgroup removed;
 *  - signals reach mcp-exec through a signalfd and the timeout through a
 *    timerfd, in one poll() loop: no busy waiting, no async handlers;
 *  - a client that goes away cannot leave the server running: when the
 *    server's stdin (a pipe or socket) is closed by the client, the server
 *    has the hang-up grace to exit, then SIGTERM, the grace, SIGKILL; when
 *    its stdout has no reader left, SIGTERM at once.  Watched with poll()
 *    on mcp-exec's own copies of fds 0 and 1, never read or written.
 */
#include <mcp-config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "confine.h"
#include "io.h"
#include "layers.h"
#include "limits.h"
#include "records.h"
#include "relay.h"
#include "landlock.h"
#include "seccomp.h"
#include "spec.h"
#include "supervise.h"
#include "xalloc.h"

/* How long to keep killing and reaping what is left after the server. */
#define SWEEP_MS 5000

/* What the client did to the server's standard streams. */
enum { HUP_NONE, HUP_STDIN, HUP_STDOUT };
static const char *const hup_names[] = {NULL, "stdin", "stdout"};

struct run {
	const struct mcp_spec *s;
	const struct run_opts *o;
	struct layers ls;
	struct cgroup_run cg;
	struct rlimits_plan rl;
	struct ns_plan ns;
	struct seccomp_plan sc;
	struct landlock_plan ll;
	struct relay net; /* network allowlist, transport http: relays */
	int inner_set, inner_status; /* the server's status, from the init */
	char **envp;
	size_t nsecret_from; /* envp[i] for i >= this hold secrets */
	size_t nenv;
	char *sfbuf;   /* --secrets-file's content, wiped after use */
	size_t sflen;
	pid_t pid;
	int sfd, tfd, status_fd, go_fd;
	int main_done, wstatus;
	int ready, started, timed_out, forwarded_sig, fail_code;
	int hfd;        /* timerfd of the hang-up */
	int hangup;     /* HUP_* the client did first, 0 if nothing */
	int hup_phase;  /* 0, 1 waiting for the exit, 2 TERM sent, 3 KILL */
	int watch_in, watch_out; /* fds 0 and 1 are pipes or sockets */
	char fail_text[LAYER_TEXT];
	struct timespec t0, t1;
};

static long long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * --secrets-file: KEY=VALUE lines (empty lines and "#" comments skipped),
 * in a regular file of the caller's, mode 0600 or stricter.  Read whole;
 * the lines are split in place.  Values never appear in a message.
 */
static int
load_secrets_file(struct run *r, struct mcp_err *e)
{
	const char *path = r->o->secrets_file;
	struct stat st;
	char *line, *eq, *nl;
	size_t lineno = 0;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return mcp_err_sys(e, MCP_ERR_SETUP, "secrets file %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mcp_err_set(e, MCP_ERR_SETUP,
		                   "secrets file %s: not a regular file", path);
	}
	if (st.st_uid != getuid()) {
		close(fd);
		return mcp_err_set(e, MCP_ERR_SETUP,
		                   "secrets file %s: owned by uid %u, not by "
		                   "the caller (uid %u)",
		                   path, (unsigned)st.st_uid,
		                   (unsigned)getuid());
	}
	if (st.st_mode & 077) {
		close(fd);
		return mcp_err_set(e, MCP_ERR_SETUP,
		                   "secrets file %s: mode %04o, must be 0600 "
		                   "or stricter (chmod 600 %s)",
		                   path, (unsigned)(st.st_mode & 07777), path);
	}
	if (mcp_read_all(fd, 1 << 20, &r->sfbuf, &r->sflen) < 0) {
		close(fd);
		return mcp_err_sys(e, MCP_ERR_SETUP, "secrets file %s", path);
	}
	close(fd);
	for (line = r->sfbuf; line < r->sfbuf + r->sflen; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', r->sfbuf + r->sflen - line)) ==
		    NULL)
			nl = r->sfbuf + r->sflen;
		*nl = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL || memchr(line, '\0', (size_t)(nl - line)) != NULL) {
			return mcp_err_set(e, MCP_ERR_SETUP,
			                   "secrets file %s: line %zu: not "
			                   "KEY=VALUE",
			                   path, lineno);
		}
		*eq = '\0';
		if (!mcp_spec_env_name_ok(line)) {
			*eq = '=';
			return mcp_err_set(e, MCP_ERR_SETUP,
			                   "secrets file %s: line %zu: not a "
			                   "valid variable name",
			                   path, lineno);
		}
		*eq = '=';
	}
	return 0;
}

/* A secret's value: from --secrets-file when given, else from the
 * environment of mcp-exec. */
static const char *
secret_value(const struct run *r, const char *name)
{
	const char *line, *end;
	size_t len = strlen(name);

	if (r->sfbuf == NULL)
		return getenv(name);
	end = r->sfbuf + r->sflen; /* not before: NULL + 0 is undefined */
	for (line = r->sfbuf; line < end; line += strlen(line) + 1)
		if (strncmp(line, name, len) == 0 && line[len] == '=')
			return line + len + 1;
	return NULL;
}

/* The server's environment: process.env, then pass_env names that mcp-exec
 * has, then the secrets (which must be set), those "as": "file" going to
 * the private root's /run/secrets instead.  Nothing else. */
static int
build_env(struct run *r, struct mcp_err *e)
{
	const struct mcp_spec *s = r->s;
	size_t cap = json_object_size(s->env) + 1, i, n = 0;
	const char *k, *val, *as;
	json_t *v;

	if (s->pass_env)
		cap += json_array_size(s->pass_env);
	if (s->secrets)
		cap += json_array_size(s->secrets);
	r->envp = xcalloc(cap, sizeof(*r->envp));
	json_object_foreach(s->env, k, v)
	{
		r->envp[n++] = xasprintf("%s=%s", k, json_string_value(v));
	}
	json_array_foreach(s->pass_env, i, v)
	{
		k = json_string_value(v);
		if (json_object_get(s->env, k) == NULL &&
		    (val = getenv(k)) != NULL)
			r->envp[n++] = xasprintf("%s=%s", k, val);
	}
	r->nsecret_from = n;
	r->nenv = n;
	if (r->o->secrets_file != NULL && load_secrets_file(r, e) < 0)
		return -1;
	if (s->nsecret_files > 0)
		r->ns.secrets =
		    xcalloc(s->nsecret_files, sizeof(*r->ns.secrets));
	json_array_foreach(s->secrets, i, v)
	{
		k = json_string_value(json_object_get(v, "name"));
		as = json_string_value(json_object_get(v, "as"));
		if ((val = secret_value(r, k)) == NULL) {
			r->nenv = n;
			return mcp_err_set(
			    e, MCP_ERR_SETUP, "secret %s: not set in %s", k,
			    r->sfbuf != NULL ? "the secrets file"
			                     : "the environment of mcp-exec");
		}
		if (as != NULL && strcmp(as, "file") == 0) {
			r->ns.secrets[r->ns.nsecrets].name = k;
			r->ns.secrets[r->ns.nsecrets++].value = xstrdup(val);
		} else {
			r->envp[n++] = xasprintf("%s=%s", k, val);
		}
	}
	r->nenv = n;
	return 0;
}

static void
free_env(struct run *r)
{
	size_t i;

	if (r->sfbuf != NULL) {
		explicit_bzero(r->sfbuf, r->sflen);
		free(r->sfbuf);
		r->sfbuf = NULL;
	}
	for (i = 0; i < r->ns.nsecrets; i++) {
		explicit_bzero(r->ns.secrets[i].value,
		               strlen(r->ns.secrets[i].value));
		free(r->ns.secrets[i].value);
	}
	free(r->ns.secrets);
	r->ns.secrets = NULL;
	r->ns.nsecrets = 0;
	if (r->envp == NULL)
		return;
	for (i = 0; i < r->nenv; i++) {
		/* Secret values do not linger in mcp-exec's memory. */
		if (i >= r->nsecret_from)
			explicit_bzero(r->envp[i], strlen(r->envp[i]));
		free(r->envp[i]);
	}
	free(r->envp);
	r->envp = NULL;
}

/* The first required layer that is not applied, or -1. */
static int
missing_required(const struct run *r)
{
	size_t i;
	int l;
	json_t *v;

	json_array_foreach(r->s->require, i, v)
	{
		for (l = 0; l < L_COUNT; l++)
			if (strcmp(json_string_value(v), mcp_spec_layers[l]) ==
			        0 &&
			    !layer_applied(&r->ls, (enum layer)l))
				return l;
	}
	return -1;
}

static json_t *
layers_json(const struct run *r)
{
	json_t *o = json_object();
	int l;

	for (l = 0; l < L_COUNT; l++)
		if (r->ls.st[l][0] != '\0')
			json_object_set_new(o, mcp_spec_layers[l],
			                    json_string(r->ls.st[l]));
	return o;
}

static int
write_start(struct run *r, struct mcp_err *e)
{
	const struct spec_limits *l = &r->s->limits;
	json_t *rec = records_new(r->s, "start"), *argv = json_array();
	size_t i;
	int rc;

	for (i = 0; i < r->s->argc; i++)
		json_array_append_new(argv, json_string(r->s->argv[i]));
	json_object_set_new(rec, "pid",
	                    r->pid > 0 ? json_integer(r->pid) : json_null());
	json_object_set_new(rec, "argv", argv);
	json_object_set_new(
	    rec, "limits",
	    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "cpu_millicores",
	              (json_int_t)l->cpu_millicores, "memory_bytes",
	              (json_int_t)l->memory_bytes, "pids", (json_int_t)l->pids,
	              "fds", (json_int_t)l->fds, "timeout_ms",
	              (json_int_t)l->timeout_ms, "grace_ms",
	              (json_int_t)r->o->grace_ms, "rlimits",
	              limits_json(&r->rl)));
	json_object_set_new(rec, "layers", layers_json(r));
	json_object_set_new(rec, "cgroup", cgroup_json(&r->cg));
	json_object_set_new(rec, "user",
	                    json_pack("{s:I,s:I}", "uid",
	                              (json_int_t)r->o->id.uid, "gid",
	                              (json_int_t)r->o->id.gid));
	rc = records_write(r->o->records_fd, rec, e);
	json_decref(rec);
	return rc;
}

/*
 * Signal the server's process group (the child's pid until setsid).  Only
 * while the server is unreaped: after that its pid, and so the group id,
 * may be reused by an unrelated process; what is left of the group has
 * been reparented to us (subreaper) and signal_children() finds it.
 */
static void
signal_group(struct run *r, int sig)
{
	if (r->pid <= 0 || r->main_done)
		return;
	/* In its pid namespace, the init forwards to the server; a SIGKILL
	 * of the init kills the whole namespace. */
	if (r->ns.pidns) {
		kill(r->pid, sig);
		return;
	}
	if (kill(-r->pid, sig) < 0 && errno == ESRCH)
		kill(r->pid, sig);
}

/* Signal every child of mcp-exec (reparented orphans included), found by
 * their parent pid in /proc.  Returns how many were signalled. */
static int
signal_children(int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], buf[512], *p;
	long me = (long)getpid(), ppid;
	int n = 0, fd;
	ssize_t len;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = mcp_read_full(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "PID (COMM) STATE PPID ...": COMM may hold anything, so
		 * parse from its last ')'. */
		if ((p = strrchr(buf, ')')) == NULL ||
		    /* NOLINTNEXTLINE(cert-err34-c): the kernel's own number */
		    sscanf(p + 1, " %*c %ld", &ppid) != 1 || ppid != me)
			continue;
		if (kill((pid_t)strtol(de->d_name, NULL, 10), sig) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Everything the run started, everywhere mcp-exec can find it. */
static void
signal_all(struct run *r, int sig)
{
	signal_group(r, sig);
	if (r->ns.pidns && sig != SIGKILL && sig != 0)
		return;
	/* The run's cgroup holds everything it started, the daemons
	 * reparented to us included: no need to read all of /proc. */
	if (cgroup_tracks(&r->cg))
		cgroup_signal(&r->cg, sig);
	else
		signal_children(sig);
}

/* Reap whatever has exited; note the server's own status. */
static void
reap(struct run *r)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == r->pid) {
			r->main_done = 1;
			r->wstatus = st;
		}
}

/* Say which layers were not applied (invariant 6), once. */
static void
tell_layers(const struct run *r)
{
	char list[256] = "";
	size_t len;
	int l;

	for (l = 0; l < L_COUNT; l++) {
		if (r->o->verbose && r->ls.st[l][0] != '\0')
			fprintf(stderr, "%s: layer %s: %s\n", r->o->prog,
			        mcp_spec_layers[l], r->ls.st[l]);
		if (r->ls.st[l][0] != '\0' && !layer_applied(&r->ls, l)) {
			len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s%s",
			         len ? ", " : "", mcp_spec_layers[l]);
		}
	}
	if (list[0] != '\0' && !r->o->quiet)
		mcp_warn(r->o->prog,
		         "layers not applied: %s (the records say why)", list);
}

static void refuse(struct run *r, const char *text);

/*
 * One message from the child.  The channel is a SOCK_SEQPACKET pair, so
 * POLLIN means a whole message (with MSG_NETFDS, its descriptors) or end
 * of file; end of file
 * means the child exec'd (after READY) or died.
 */
static void
read_one(struct run *r)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * (RELAY_MAX_FDS + 2))];
		struct cmsghdr align;
	} u;
	char why[LAYER_TEXT];
	struct child_msg m;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh;
	struct cmsghdr *cm;
	int fds[RELAY_MAX_FDS + 2];
	size_t nfds = 0, i;
	ssize_t got;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	while ((got = recvmsg(r->status_fd, &mh, MSG_CMSG_CLOEXEC)) < 0 &&
	       errno == EINTR)
		continue;
	for (cm = got > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm != NULL;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (nfds < RELAY_MAX_FDS + 2)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	if (got != (ssize_t)sizeof(m)) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		close(r->status_fd);
		r->status_fd = -1;
		return;
	}
	m.text[sizeof(m.text) - 1] = '\0';
	if (m.type == MSG_NETFDS && !relay_active(&r->net) &&
	    !(mh.msg_flags & MSG_CTRUNC) && m.code >= 0 && m.layer >= 0 &&
	    m.code <= RELAY_MAX_FDS && m.layer <= 2 &&
	    (size_t)m.code + (size_t)m.layer == nfds &&
	    (m.code > 0) == (r->s->net == NET_ALLOWLIST) &&
	    (m.layer > 0) == (r->s->bind_port != 0)) {
		relay_adopt(&r->net, fds, (size_t)m.code);
		if (m.layer > 0 &&
		    relay_http(&r->net, fds + m.code, (size_t)m.layer, why,
		               sizeof(why)) < 0) {
			for (i = (size_t)m.code; i < nfds; i++)
				close(fds[i]);
			r->net.netns_fd = r->net.userns_fd = -1;
			if (r->fail_code == 0)
				refuse(r, why);
		}
		return;
	}
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (m.type == MSG_NETFDS) {
		if (r->fail_code == 0)
			refuse(r, "network: the relay's sockets were not "
			          "received");
		return;
	}
	if (m.type == MSG_LAYER && m.layer >= 0 && m.layer < L_COUNT) {
		layer_set(&r->ls, (enum layer)m.layer, "%s", m.text);
	} else if (m.type == MSG_FAIL && r->fail_code == 0) {
		r->fail_code =
		    m.code >= MCP_EXIT_SETUP && m.code <= MCP_EXIT_NOTFOUND
		        ? m.code
		        : MCP_EXIT_SETUP;
		snprintf(r->fail_text, sizeof(r->fail_text), "%s", m.text);
	} else if (m.type == MSG_READY) {
		r->ready = 1;
	} else if (m.type == MSG_EXIT && r->ns.pidns) {
		r->inner_set = 1;
		r->inner_status = m.code;
	}
}

/* Stop the child before it execs, for reason TEXT. */
static void
refuse(struct run *r, const char *text)
{
	r->fail_code = MCP_EXIT_SETUP;
	snprintf(r->fail_text, sizeof(r->fail_text), "%s", text);
	signal_group(r, SIGKILL);
}

/*
 * The child is confined and waits: check the required layers, write the
 * start record, let it exec.  -1 with E only for mcp-exec's own failure.
 */
static int
release(struct run *r, struct mcp_err *e)
{
	char text[LAYER_TEXT];
	int l;

	if ((l = missing_required(r)) >= 0) {
		snprintf(text, sizeof(text),
		         "layer %s is required by the spec but %.120s",
		         mcp_spec_layers[l], r->ls.st[l]);
		refuse(r, text);
		return 0;
	}
	tell_layers(r);
	/* No record, no run (DESIGN.md invariant 5). */
	if (write_start(r, e) < 0) {
		signal_group(r, SIGKILL);
		return -1;
	}
	r->started = 1;
	if (confine_go_exec(r->go_fd, &r->sc) < 0) {
		signal_group(r, SIGKILL);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "pipe to the child");
	}
	close(r->go_fd);
	r->go_fd = -1;
	return 0;
}

static int
arm(int tfd, unsigned long long ms)
{
	struct itimerspec it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	if (ms == 0)
		it.it_value.tv_nsec = 1; /* 0 would disarm */
	return timerfd_settime(tfd, 0, &it, NULL);
}

/*
 * The hang-up's next step: the server had its hang-up grace (or the
 * client can no longer read): SIGTERM, then after the grace SIGKILL.
 */
static void
hangup_step(struct run *r)
{
	if (r->hup_phase >= 3 || r->main_done)
		return;
	if (r->hup_phase < 2) {
		r->hup_phase = 2;
		signal_all(r, SIGTERM);
		arm(r->hfd, r->o->grace_ms);
	} else {
		r->hup_phase = 3;
		signal_all(r, SIGKILL);
	}
}

/* The client closed the server's stdin (HUP_STDIN) or stopped reading
 * its stdout (HUP_STDOUT). */
static void
hung_up(struct run *r, int what)
{
	if (what == HUP_STDIN) {
		r->hangup = HUP_STDIN;
		r->hup_phase = 1;
		if (r->o->verbose)
			fprintf(stderr, "%s: the client closed the server's "
			        "standard input: %llu s to exit\n", r->o->prog,
			        r->o->hangup_grace_ms / 1000);
		if (r->o->hangup_grace_ms > 0) {
			arm(r->hfd, r->o->hangup_grace_ms);
			return;
		}
	} else {
		r->hangup = HUP_STDOUT;
		if (r->o->verbose)
			fprintf(stderr, "%s: nobody reads the server's "
			        "standard output any more: stopping it\n",
			        r->o->prog);
		if (r->hup_phase >= 2)
			return;
	}
	hangup_step(r);
}

/*
 * The poll loop, from fork to the server's exit: the child's messages,
 * signals, the timeout.  The timeout counts from fork, so a set-up that
 * hangs (a working directory on a dead NFS server) is bounded too.
 */
static int
watch(struct run *r, struct mcp_err *e)
{
	struct pollfd pf[6 + RELAY_NPOLL];
	struct signalfd_siginfo si;
	uint64_t ticks;
	int phase = 0, n, failed = 0, t, in, out;

	while (!r->main_done) {
		/* The client's end is watched once the server runs, until
		 * it hangs up (poll() reports a hang-up for ever after). */
		in = r->started && r->watch_in && r->hangup == HUP_NONE;
		out = r->started && r->watch_out && r->hangup != HUP_STDOUT;
		pf[0] = (struct pollfd){r->sfd, POLLIN, 0};
		pf[1] = (struct pollfd){r->tfd, POLLIN, 0};
		pf[2] = (struct pollfd){r->status_fd, POLLIN, 0};
		/* POLLRDHUP: a socket whose peer shut down writing; a pipe
		 * without writers reports POLLHUP whatever is asked. */
		pf[3] = (struct pollfd){in ? STDIN_FILENO : -1, POLLRDHUP, 0};
		/* Asking nothing: a pipe without readers reports POLLERR, a
		 * closed socket POLLHUP. */
		pf[4] = (struct pollfd){out ? STDOUT_FILENO : -1, 0, 0};
		pf[5] = (struct pollfd){r->hfd, POLLIN, 0};
		t = relay_active(&r->net) ? relay_poll(&r->net, pf + 6) : -1;
		n = poll(pf, relay_active(&r->net) ? 6 + RELAY_NPOLL : 6, t);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			signal_all(r, SIGKILL);
			return mcp_err_sys(e, MCP_ERR_RUNTIME, "poll");
		}
		if (relay_active(&r->net))
			relay_events(&r->net, pf + 6);
		if (pf[4].revents & (POLLERR | POLLHUP))
			hung_up(r, HUP_STDOUT);
		else if (pf[3].revents & (POLLRDHUP | POLLHUP | POLLERR))
			hung_up(r, HUP_STDIN);
		if (pf[5].revents &&
		    read(r->hfd, &ticks, sizeof(ticks)) == sizeof(ticks))
			hangup_step(r);
		if (r->status_fd >= 0 && pf[2].revents) {
			read_one(r);
			if (r->ready == 1 && !r->fail_code && !r->timed_out) {
				r->ready = 2;
				if (release(r, e) < 0)
					failed = -1;
			}
		}
		if (pf[1].revents &&
		    read(r->tfd, &ticks, sizeof(ticks)) == sizeof(ticks)) {
			if (phase++ == 0) {
				/* Timeout: ask politely, then the grace. */
				r->timed_out = 1;
				signal_all(r, SIGTERM);
				arm(r->tfd, r->o->grace_ms);
			} else {
				signal_all(r, SIGKILL);
			}
		}
		if (pf[0].revents &&
		    read(r->sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGCHLD) {
				reap(r);
			} else if (!r->started) {
				/* Not started yet: stop here. */
				r->forwarded_sig = (int)si.ssi_signo;
				signal_group(r, SIGKILL);
			} else {
				r->forwarded_sig = (int)si.ssi_signo;
				signal_group(r, (int)si.ssi_signo);
			}
		}
	}
	/* A MSG_FAIL sent just before the child exited. */
	while (r->status_fd >= 0)
		read_one(r);
	/* The init's status is the server's, which the records describe;
	 * the init killed by a signal (the timeout) speaks for itself. */
	if (r->inner_set && r->main_done && WIFEXITED(r->wstatus))
		r->wstatus = r->inner_status;
	if (!r->started && !r->fail_code && failed == 0) {
		r->fail_code = MCP_EXIT_SETUP;
		snprintf(r->fail_text, sizeof(r->fail_text), "%s",
		         r->timed_out ? "set-up timed out"
		         : r->forwarded_sig
		             ? "interrupted by a signal during set-up"
		             : "the child died during set-up");
	}
	return failed;
}

/* Kill and reap everything left, bounded in time. */
static void
sweep(struct run *r)
{
	struct timespec now, pause = {0, 5 * 1000 * 1000};
	int st, left;

	/* The init of a pid namespace has exited: the kernel killed every
	 * process of the namespace and waited for them first, and none was
	 * ever reparented here.  Nothing to look for. */
	if (r->ns.pidns && r->main_done) {
		while (waitpid(-1, &st, WNOHANG) > 0)
			continue;
		return;
	}
	for (;;) {
		signal_all(r, SIGKILL);
		while (waitpid(-1, &st, WNOHANG) > 0)
			continue;
		left = cgroup_tracks(&r->cg) ? cgroup_signal(&r->cg, 0) > 0
		                             : signal_children(0) > 0;
		/* A killed process leaves its cgroup before it is a zombie
		 * we can reap: wait for our children too (0: some exist,
		 * none has exited yet; -1/ECHILD: none left). */
		if (!left && waitpid(-1, &st, WNOHANG) == 0)
			left = 1;
		if (!left)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ms_between(&r->t1, &now) > SWEEP_MS)
			break;
		nanosleep(&pause, NULL);
	}
}

static const char *
outcome(struct run *r, uint64_t ooms)
{
	int st = r->wstatus;

	if (r->fail_code)
		return "setup_failed";
	if (r->timed_out)
		return "timeout";
	if (ooms > 0)
		return "oom";
	/* Stopped by us because the client went away: the run ended as
	 * the client wanted, but the server did not end it itself. */
	if (r->hup_phase >= 2 && !WIFEXITED(st))
		return "error";
	if (WIFEXITED(st))
		return WEXITSTATUS(st) == 0 ? "success" : "error";
	if (WTERMSIG(st) == SIGKILL ||
	    (r->forwarded_sig && WTERMSIG(st) == r->forwarded_sig))
		return "killed";
	return "signal";
}

static int
exit_code(const struct run *r)
{
	if (r->fail_code)
		return r->fail_code;
	if (r->timed_out)
		return MCP_EXIT_TIMEOUT;
	if (WIFEXITED(r->wstatus))
		return WEXITSTATUS(r->wstatus);
	return 128 + WTERMSIG(r->wstatus);
}

static int
write_end(struct run *r, int code, const char *what, struct mcp_err *e)
{
	json_t *rec = records_new(r->s, "end");
	struct rusage ru;
	uint64_t peak = cgroup_peak(&r->cg);
	int rc, sig = WIFSIGNALED(r->wstatus) ? WTERMSIG(r->wstatus) : 0;

	getrusage(RUSAGE_CHILDREN, &ru);
	if (peak == 0)
		peak = (uint64_t)ru.ru_maxrss * 1024;
	json_object_set_new(rec, "pid",
	                    r->pid > 0 ? json_integer(r->pid) : json_null());
	json_object_set_new(rec, "outcome", json_string(what));
	json_object_set_new(rec, "exit_code", json_integer(code));
	json_object_set_new(rec, "wait_status",
	                    r->main_done ? json_integer(r->wstatus)
	                                 : json_null());
	json_object_set_new(rec, "signal",
	                    sig ? json_integer(sig) : json_null());
	json_object_set_new(rec, "duration_ms",
	                    json_integer(ms_between(&r->t0, &r->t1)));
	json_object_set_new(rec, "cpu_ms",
	                    json_pack("{s:I,s:I}", "user",
	                              (json_int_t)ru.ru_utime.tv_sec * 1000 +
	                                  ru.ru_utime.tv_usec / 1000,
	                              "system",
	                              (json_int_t)ru.ru_stime.tv_sec * 1000 +
	                                  ru.ru_stime.tv_usec / 1000));
	json_object_set_new(rec, "peak_memory_bytes",
	                    json_integer((json_int_t)peak));
	json_object_set_new(rec, "oom_kills",
	                    json_integer((json_int_t)cgroup_oom_kills(&r->cg)));
	json_object_set_new(rec, "hangup",
	                    r->hangup ? json_string(hup_names[r->hangup])
	                              : json_null());
	/* What held for the whole run, as in the start record. */
	json_object_set_new(rec, "layers", layers_json(r));
	if (r->fail_code)
		json_object_set_new(rec, "error", json_string(r->fail_text));
	rc = records_write(r->o->records_fd, rec, e);
	json_decref(rec);
	return rc;
}

/* A pipe or a socket: its peer can hang up.  Files, /dev/null and
 * terminals (SIGHUP tells) are not watched. */
static int
watchable(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	                               S_ISSOCK(st.st_mode));
}

static int
setup(struct run *r, struct mcp_err *e)
{
	sigset_t set;

	ns_plan_make(&r->ns, r->s, r->o->id.uid, r->o->id.gid);
	if (build_env(r, e) < 0)
		return -1;
	/* The v2 cgroup, for the child to be born in; the rest of the
	 * cgroups and the system call filter are made while the child
	 * unshares its namespaces (launch). */
	cgroup_prepare(&r->cg);
	layer_set(&r->ls, L_TIMEOUT, "applied");
	landlock_plan_make(&r->ll, r->s);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (r->sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "signalfd");
	if ((r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0 ||
	    (r->hfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "timerfd_create");
	r->watch_in = watchable(STDIN_FILENO);
	r->watch_out = watchable(STDOUT_FILENO);
	/* Orphans of the run (double-forked daemons) become our children,
	 * so the sweep finds them even without a cgroup. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME,
		                   "PR_SET_CHILD_SUBREAPER");
	return 0;
}

/*
 * Fork, move the child into the cgroup, let it confine itself.  -1 with
 * E when mcp-exec itself failed; a refused child is r->fail_code.
 */
static int
launch(struct run *r, struct mcp_err *e)
{
	struct confine_plan plan;
	int sp[2], gp[2], cgfd;
	char why[LAYER_TEXT], text[LAYER_TEXT];

	/* Messages, and with network allowlist the relay's sockets. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "socketpair");
	if (pipe2(gp, O_CLOEXEC) < 0) {
		close(sp[0]);
		close(sp[1]);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "pipe");
	}
	fflush(NULL);
	cgfd = cgroup_unified_fd(&r->cg);
	r->pid = ns_fork(&r->ns, cgfd);
	if (r->pid < 0) {
		close(sp[0]), close(sp[1]), close(gp[0]), close(gp[1]);
		if (cgfd >= 0)
			close(cgfd);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "fork");
	}
	if (r->pid == 0) {
		memset(&plan, 0, sizeof(plan));
		plan.spec = r->s;
		plan.envp = r->envp;
		plan.id = r->o->id;
		plan.ns = &r->ns;
		plan.ll = &r->ll;
		plan.status_fd = sp[1];
		plan.go_fd = gp[0];
		close(sp[0]);
		close(gp[1]);
		confine_exec(&plan);
	}
	close(sp[1]);
	close(gp[0]);
	if (cgfd >= 0)
		close(cgfd);
	r->status_fd = sp[0];
	r->go_fd = gp[1];
	free_env(r);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	if (arm(r->tfd, r->s->limits.timeout_ms) < 0) {
		signal_group(r, SIGKILL);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "timerfd_settime");
	}

	/* The go-aheads (confine.h): the user namespace's maps; the
	 * cgroups with their limits, the child already in the v2 one (or
	 * moved there now) and joining the v1 ones itself (cgroup.h: no
	 * grace period either way); the filter comes with the last. */
	if (ns_write_maps(&r->ns, r->pid, why, sizeof(why)) < 0) {
		snprintf(text, sizeof(text), "namespaces: %.180s", why);
		refuse(r, text);
		return 0;
	}
	if (confine_go_maps(r->go_fd) < 0)
		goto pipe;
	cgroup_finish(&r->cg, &r->s->limits, r->ls.st[L_CGROUP],
	              sizeof(r->ls.st[L_CGROUP]));
	limits_plan(&r->s->limits, r->o->id.uid, r->cg.ctl[CG_PIDS] != NULL,
	            &r->rl);
	if (!r->ns.in_cgroup &&
	    cgroup_join_unified(&r->cg, r->pid, why, sizeof(why)) < 0) {
		snprintf(text, sizeof(text), "cgroup: %.180s", why);
		refuse(r, text);
		return 0;
	}
	ns_plan_names(&r->ns);
	if (confine_go_cgroups(r->go_fd, &r->rl, &r->cg, &r->ns) < 0)
		goto pipe;
	seccomp_plan_make(&r->sc, r->s);
	layer_set(&r->ls, L_SECCOMP, "%s", r->sc.status);
	return 0;
pipe:
	signal_group(r, SIGKILL);
	return mcp_err_sys(e, MCP_ERR_RUNTIME, "pipe to the child");
}

static enum mcp_errcat
fail_cat(int code)
{
	if (code == MCP_EXIT_NOTFOUND)
		return MCP_ERR_NOTFOUND;
	if (code == MCP_EXIT_NOEXEC)
		return MCP_ERR_NOEXEC;
	return MCP_ERR_SETUP;
}

int
supervise_run(const struct mcp_spec *s, const struct run_opts *o,
              struct mcp_err *e)
{
	struct run r;
	struct mcp_err werr;
	char left[256];
	int code = -1, st;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.o = o;
	r.sfd = r.tfd = r.hfd = r.status_fd = r.go_fd = -1;
	cgroup_init(&r.cg);
	relay_init(&r.net, s, o->records_fd);
	mcp_err_init(&werr);

	if (setup(&r, e) < 0)
		goto out;
	if (launch(&r, e) < 0 || watch(&r, e) < 0) {
		/* mcp-exec itself failed: collect the child, no records. */
		if (r.pid > 0 && !r.main_done)
			while (waitpid(r.pid, &st, 0) < 0 && errno == EINTR)
				continue;
		r.main_done = 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &r.t1);
	/* The connections' records come before the end record. */
	relay_close(&r.net);
	if (r.pid > 0)
		sweep(&r);
	if (r.main_done && r.fail_code) {
		/* A refused or failed set-up is in the log too. */
		if (!r.started && write_start(&r, &werr) < 0)
			mcp_warn(o->prog, "%s", werr.msg);
		mcp_err_set(e, fail_cat(r.fail_code), "%s", r.fail_text);
	}
	if (r.main_done &&
	    write_end(&r, exit_code(&r), outcome(&r, cgroup_oom_kills(&r.cg)),
	              &werr) < 0)
		mcp_warn(o->prog, "%s", werr.msg);
	if (r.main_done)
		code = exit_code(&r);
out:
	/* A task stuck in the kernel (D state) can keep its cgroup busy. */
	if (cgroup_release(&r.cg, left, sizeof(left)) > 0)
		mcp_warn(o->prog, "cgroup %s: still busy, left in place", left);
	free_env(&r);
	seccomp_plan_free(&r.sc);
	landlock_plan_free(&r.ll);
	if (r.sfd >= 0)
		close(r.sfd);
	if (r.tfd >= 0)
		close(r.tfd);
	if (r.hfd >= 0)
		close(r.hfd);
	if (r.status_fd >= 0)
		close(r.status_fd);
	if (r.go_fd >= 0)
		close(r.go_fd);
	return code >= 0 ? code : mcp_err_exit(e);
}
