/*
 * cgroup.c: the run's cgroup(s): memory (swap off), pids and CPU quota.
 *
 * Invariant: a controller is reported as applied only after its limit was
 * written and read back without error; a run's cgroups are removed after
 * the run, and nothing is left running in them (supervise.c kills what is
 * left before cgroup_release).
 *
 * Hierarchies are found in /proc/self/mountinfo and the caller's own place
 * in /proc/self/cgroup; the run's cgroup is a child of the caller's, so a
 * delegated subtree (systemd Delegate=yes) works without root.  On cgroup
 * v2 a controller must be enabled in the parent's cgroup.subtree_control;
 * the kernel refuses that (EBUSY) while the parent holds processes of its
 * own ("no internal processes", Documentation/admin-guide/cgroup-v2.rst),
 * and then the controller is taken from v1 if mounted there, or is missing.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"
#include "sandbox.h"
#include "xalloc.h"

static const char *const ctl_name[CG_NCTL] = {"memory", "pids", "cpu"};

void
cgroup_init(struct cgroup_run *c)
{
	memset(c, 0, sizeof(*c));
}

static int
write_str(const char *dir, const char *file, const char *val)
{
	char path[4096];
	int fd, rc, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* One write(): cgroup files take one value per write call. */
	rc = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Value of "KEY N" in a flat-keyed cgroup file, or 0. */
static uint64_t
keyed_value(const char *dir, const char *file, const char *key)
{
	char path[4096], buf[4096], *p;
	size_t kl = strlen(key);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (mcp_read_head(path, buf, sizeof(buf)) < 0)
		return 0;
	for (p = buf; p != NULL && *p != '\0';
	     p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtoull(p + kl + 1, NULL, 10);
	return 0;
}

static uint64_t
single_value(const char *dir, const char *file)
{
	char path[4096], buf[64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (mcp_read_head(path, buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

/* Does the space-separated LIST (a cgroup.controllers line) hold WORD? */
static int
has_word(const char *list, const char *word, const char *seps)
{
	size_t wl = strlen(word);
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, seps);

		if (len == wl && strncmp(p, word, wl) == 0)
			return 1;
		p += len;
		p += strspn(p, seps);
	}
	return 0;
}

/*
 * What the hierarchies look like from here: /proc/self/mountinfo and
 * /proc/self/cgroup, each read once (a mount table can be long, and
 * formatting it is most of the kernel's work in a short run).
 */
struct host_view {
	char *mountinfo;
	char *self;
};

static char *
slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len;

	if (fd < 0)
		return NULL;
	if (mcp_read_all(fd, 16u << 20, &buf, &len) < 0)
		buf = NULL;
	close(fd);
	return buf;
}

static void
view_read(struct host_view *v)
{
	v->mountinfo = slurp("/proc/self/mountinfo");
	v->self = slurp("/proc/self/cgroup");
}

static void
view_free(struct host_view *v)
{
	free(v->mountinfo);
	free(v->self);
}

/* Copy the line of TEXT at *POS into a new string; advance. */
static char *
next_line(const char **pos)
{
	const char *p = *pos;
	size_t len;

	if (p == NULL || *p == '\0')
		return NULL;
	len = strcspn(p, "\n");
	*pos = p + len + (p[len] == '\n');
	return xstrndup(p, len);
}

/*
 * The mount point and root of the cgroup2 mount (CTL NULL) or of the v1
 * hierarchy holding CTL, from the mount table.  Newly allocated.
 */
static int
find_mount(const struct host_view *v, const char *ctl, char **mnt,
           char **root)
{
	const char *pos = v->mountinfo;
	char *line, *sep, *fields[6], *fstype, *super, *tok, *save;
	size_t i;
	int found = 0;

	while (!found && (line = next_line(&pos)) != NULL) {
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - TYPE SRC SUPER"
		 */
		if ((sep = strstr(line, " - ")) == NULL) {
			free(line);
			continue;
		}
		*sep = '\0';
		fstype = strtok_r(sep + 3, " ", &save);
		strtok_r(NULL, " ", &save); /* source */
		super = strtok_r(NULL, " ", &save);
		tok = strtok_r(line, " ", &save);
		for (i = 0; i < 6 && tok != NULL; i++) {
			fields[i] = tok;
			tok = strtok_r(NULL, " ", &save);
		}
		if (fstype != NULL && super != NULL && i >= 5 &&
		    (ctl == NULL ? strcmp(fstype, "cgroup2") == 0
		                 : strcmp(fstype, "cgroup") == 0 &&
		                       has_word(super, ctl, ","))) {
			*root = xstrdup(fields[3]);
			*mnt = xstrdup(fields[4]);
			found = 1;
		}
		free(line);
	}
	return found ? 0 : -1;
}

/* Our cgroup path in the v2 hierarchy (CTL NULL) or in CTL's v1 one. */
static char *
own_path(const struct host_view *v, const char *ctl)
{
	const char *pos = v->self;
	char *line, *p, *q, *res = NULL;

	while (res == NULL && (line = next_line(&pos)) != NULL) {
		/* "ID:CONTROLLERS:PATH" */
		if ((p = strchr(line, ':')) != NULL &&
		    (q = strchr(p + 1, ':')) != NULL) {
			*p = '\0';
			*q = '\0';
			if (ctl == NULL ? strcmp(line, "0") == 0 && p[1] == '\0'
			                : has_word(p + 1, ctl, ","))
				res = xstrdup(q + 1);
		}
		free(line);
	}
	return res;
}

/* The directory of our own cgroup in one hierarchy, or NULL. */
static char *
own_dir(const struct host_view *v, const char *ctl)
{
	char *mnt = NULL, *root = NULL, *path, *dir = NULL;
	const char *rel;
	size_t rl;

	if (find_mount(v, ctl, &mnt, &root) < 0)
		return NULL;
	if ((path = own_path(v, ctl)) != NULL) {
		/* A mount of a sub-tree (containers): strip its root. */
		rel = path;
		rl = strlen(root);
		if (strcmp(root, "/") != 0 && strncmp(path, root, rl) == 0)
			rel = path + rl;
		dir = xasprintf("%s%s%s", mnt, *rel == '/' ? "" : "/",
		                strcmp(rel, "/") == 0 ? "" : rel);
	}
	free(path);
	free(mnt);
	free(root);
	return dir;
}

static void add_reason(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
add_reason(char *buf, size_t n, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l + 3 >= n)
		return;
	if (l > 0) {
		strcpy(buf + l, "; "); /* NOLINT: l + 3 < n, checked above */
		l += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + l, n - l, fmt, ap);
	va_end(ap);
}

/* Create DIR/NAME (or find it among the run's own), record it. */
static char *
make_dir(struct cgroup_run *c, const char *parent, const char *name)
{
	char *d = xasprintf("%s/%s", parent, name);
	size_t i;

	for (i = 0; i < c->ndirs; i++)
		if (strcmp(c->dirs[i], d) == 0) {
			free(d);
			return c->dirs[i];
		}
	if (mkdir(d, 0755) < 0) {
		free(d);
		return NULL;
	}
	c->dirs[c->ndirs++] = d;
	return d;
}

static int
set_limit(int v, enum cg_ctl ctl, const char *dir, const struct spec_limits *l)
{
	char buf[64];
	unsigned long long quota;

	switch (ctl) {
	case CG_MEMORY:
		snprintf(buf, sizeof(buf), "%llu",
		         (unsigned long long)l->memory_bytes);
		if (v == 2) {
			if (write_str(dir, "memory.max", buf) < 0)
				return -1;
			/* No swap: a limit that swaps is no limit.  The files
			 * are absent without swap accounting; then there is
			 * no swap to limit either way. */
			if (write_str(dir, "memory.swap.max", "0") < 0 &&
			    errno != ENOENT)
				return -1;
			/* An OOM kill takes the whole run, not a random
			 * piece of it. */
			if (write_str(dir, "memory.oom.group", "1") < 0 &&
			    errno != ENOENT)
				return -1;
			return 0;
		}
		if (write_str(dir, "memory.limit_in_bytes", buf) < 0)
			return -1;
		if (write_str(dir, "memory.memsw.limit_in_bytes", buf) < 0) {
			if (errno != ENOENT)
				return -1;
			/* Without swap accounting, keep the run off swap. */
			if (write_str(dir, "memory.swappiness", "0") < 0)
				return -1;
		}
		return 0;
	case CG_PIDS:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)l->pids);
		return write_str(dir, "pids.max", buf);
	case CG_CPU:
		/* millicores / 1000 CPUs per period; the kernel's minimum
		 * quota is 1 ms. */
		quota = (unsigned long long)mcp_sandbox_cpu_quota(
		    l->cpu_millicores);
		if (v == 2) {
			snprintf(buf, sizeof(buf), "%llu %llu", quota,
			         MCP_SANDBOX_CPU_PERIOD_US);
			return write_str(dir, "cpu.max", buf);
		}
		snprintf(buf, sizeof(buf), "%llu", MCP_SANDBOX_CPU_PERIOD_US);
		if (write_str(dir, "cpu.cfs_period_us", buf) < 0)
			return -1;
		snprintf(buf, sizeof(buf), "%llu", quota);
		return write_str(dir, "cpu.cfs_quota_us", buf);
	case CG_NCTL:
		break;
	}
	errno = EINVAL;
	return -1;
}

/* Can the v2 cgroup PARENT delegate CTL to a child?  Enables it. */
static int
v2_enable(const char *parent, const char *ctl)
{
	char path[4096], buf[1024], op[32];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", parent);
	if (mcp_read_head(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!has_word(buf, ctl, " \n")) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", parent);
	if (mcp_read_head(path, buf, sizeof(buf)) >= 0 &&
	    has_word(buf, ctl, " \n"))
		return 0;
	snprintf(op, sizeof(op), "+%s", ctl);
	return write_str(parent, "cgroup.subtree_control", op);
}

void
cgroup_prepare(struct cgroup_run *c)
{
	char name[64];

	c->view = xcalloc(1, sizeof(*c->view));
	view_read(c->view);
	c->v2_parent = own_dir(c->view, NULL);
	c->v2_errno = 0;
	snprintf(name, sizeof(name), "mcp-exec.%ld", (long)getpid());
	if (c->v2_parent != NULL &&
	    (c->unified = make_dir(c, c->v2_parent, name)) == NULL)
		c->v2_errno = errno;
}

int
cgroup_finish(struct cgroup_run *c, const struct spec_limits *l,
              char *status, size_t n)
{
	char name[64], reasons[512] = "", *v2 = c->v2_parent, *v1, *d;
	int i, have = 0, v2err;

	snprintf(name, sizeof(name), "mcp-exec.%ld", (long)getpid());
	if (c->v2_errno != 0)
		add_reason(reasons, sizeof(reasons), "cgroup v2: %s",
		           strerror(c->v2_errno));
	for (i = 0; i < CG_NCTL; i++) {
		v2err = 0;
		/* v2 first: it is the hierarchy the kernel develops. */
		if (c->unified != NULL) {
			if (v2_enable(v2, ctl_name[i]) == 0 &&
			    set_limit(2, (enum cg_ctl)i, c->unified, l) == 0) {
				c->ctl[i] = c->unified;
				c->ctl_v[i] = 2;
				have++;
				continue;
			}
			v2err = errno;
		}
		v1 = own_dir(c->view, ctl_name[i]);
		if (v1 == NULL) {
			if (v2err == EBUSY)
				add_reason(reasons, sizeof(reasons),
				           "%s: cgroup v2: the caller's cgroup "
				           "holds processes",
				           ctl_name[i]);
			else if (v2err != 0 && v2err != ENOENT)
				add_reason(reasons, sizeof(reasons),
				           "%s: cgroup v2: %s", ctl_name[i],
				           strerror(v2err));
			else
				add_reason(reasons, sizeof(reasons),
				           "%s: no hierarchy", ctl_name[i]);
			continue;
		}
		d = make_dir(c, v1, name);
		free(v1);
		if (d == NULL || set_limit(1, (enum cg_ctl)i, d, l) < 0) {
			add_reason(reasons, sizeof(reasons), "%s: %s",
			           ctl_name[i], strerror(errno));
			continue;
		}
		c->ctl[i] = d;
		c->ctl_v[i] = 1;
		have++;
	}
	free(v2);
	c->v2_parent = NULL;
	view_free(c->view);
	free(c->view);
	c->view = NULL;
	if (have == CG_NCTL)
		snprintf(status, n, "applied");
	else if (have > 0)
		snprintf(status, n, "degraded: %s", reasons);
	else
		snprintf(status, n, "skipped: %s", reasons);
	return 0;
}

int
cgroup_create(struct cgroup_run *c, const struct spec_limits *l, char *status,
              size_t n)
{
	cgroup_prepare(c);
	return cgroup_finish(c, l, status, n);
}

int
cgroup_unified_fd(const struct cgroup_run *c)
{
	if (c->unified == NULL)
		return -1;
	return open(c->unified, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int
cgroup_join_unified(struct cgroup_run *c, pid_t pid, char *why, size_t n)
{
	char buf[32];

	if (c->unified == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%ld", (long)pid);
	if (write_str(c->unified, "cgroup.procs", buf) < 0) {
		snprintf(why, n, "%s/cgroup.procs: %s", c->unified,
		         strerror(errno));
		return -1;
	}
	return 0;
}

size_t
cgroup_v1_list(const struct cgroup_run *c, char *buf, size_t n)
{
	size_t i, len = 0, l;

	for (i = 0; i < c->ndirs; i++) {
		if (c->unified != NULL && strcmp(c->dirs[i], c->unified) == 0)
			continue;
		l = strlen(c->dirs[i]) + 1;
		if (len + l > n)
			return (size_t)-1;
		memcpy(buf + len, c->dirs[i], l);
		len += l;
	}
	return len;
}

int
cgroup_join_self(const char *list, size_t len, char *why, size_t n)
{
	const char *d;

	for (d = list; d < list + len; d += strlen(d) + 1) {
		/* "0" is the calling thread, the whole process here. */
		if (write_str(d, "tasks", "0") < 0) {
			snprintf(why, n, "%s/tasks: %s", d, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
cgroup_tracks(const struct cgroup_run *c)
{
	return c->ndirs > 0;
}

int
cgroup_signal(struct cgroup_run *c, int sig)
{
	char path[4096], *buf = NULL, *p, *end;
	size_t len;
	int fd, count = 0;
	long pid;

	if (c->ndirs == 0)
		return -1;
	/* Any of the run's cgroups holds every process of the run. */
	snprintf(path, sizeof(path), "%s/cgroup.procs",
	         c->unified ? c->unified : c->dirs[0]);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (mcp_read_all(fd, 4u << 20, &buf, &len) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	for (p = buf; *p != '\0'; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0) {
			count++;
			/* cgroup.kill (5.14) kills atomically, a fork bomb
			 * cannot outrun it; below, kill() one by one. */
			if (sig == SIGKILL && c->unified != NULL &&
			    write_str(c->unified, "cgroup.kill", "1") == 0)
				break;
			kill((pid_t)pid, sig);
		}
	}
	free(buf);
	return count;
}

uint64_t
cgroup_oom_kills(const struct cgroup_run *c)
{
	const char *d = c->ctl[CG_MEMORY];

	if (d == NULL)
		return 0;
	if (c->ctl_v[CG_MEMORY] == 2)
		return keyed_value(d, "memory.events", "oom_kill");
	return keyed_value(d, "memory.oom_control", "oom_kill");
}

uint64_t
cgroup_peak(const struct cgroup_run *c)
{
	const char *d = c->ctl[CG_MEMORY];

	if (d == NULL)
		return 0;
	return single_value(d, c->ctl_v[CG_MEMORY] == 2
	                           ? "memory.peak"
	                           : "memory.max_usage_in_bytes");
}

json_t *
cgroup_json(const struct cgroup_run *c)
{
	json_t *o = json_object();
	int i;

	if (o == NULL)
		mcp_oom();
	for (i = 0; i < CG_NCTL; i++)
		json_object_set_new(o, ctl_name[i],
		                    c->ctl[i] ? json_string(c->ctl[i])
		                              : json_null());
	json_object_set_new(o, "unified",
	                    c->unified ? json_string(c->unified) : json_null());
	return o;
}

int
cgroup_release(struct cgroup_run *c, char *left, size_t n)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	size_t i;
	int tries, kept = 0, rc = 0;

	if (left != NULL && n > 0)
		left[0] = '\0';
	/* Children first is not needed: the run's cgroups are all leaves. */
	for (i = c->ndirs; i-- > 0;) {
		/* Exiting tasks leave the cgroup a moment after SIGKILL:
		 * retry for up to one second. */
		for (tries = 0; tries < 100; tries++) {
			if ((rc = rmdir(c->dirs[i])) == 0 || errno != EBUSY)
				break;
			nanosleep(&ts, NULL);
		}
		if (rc < 0 && errno != ENOENT && left != NULL && kept++ == 0)
			snprintf(left, n, "%s", c->dirs[i]);
		free(c->dirs[i]);
	}
	if (c->view != NULL)
		view_free(c->view);
	free(c->view);
	free(c->v2_parent);
	cgroup_init(c);
	return kept;
}

json_t *
cgroup_probe(void)
{
	json_t *o = json_object(), *v1 = json_object(), *v2 = json_null();
	char *mnt, *root, *dir, path[4096], buf[1024], status[512];
	struct spec_limits l = {1000, 64ULL << 20, 16, 64, 1000};
	struct cgroup_run c;
	struct host_view view;
	int i;

	if (o == NULL || v1 == NULL)
		mcp_oom();
	view_read(&view);
	for (i = 0; i < CG_NCTL; i++) {
		if (find_mount(&view, ctl_name[i], &mnt, &root) == 0) {
			json_object_set_new(v1, ctl_name[i], json_string(mnt));
			free(mnt);
			free(root);
		} else {
			json_object_set_new(v1, ctl_name[i], json_null());
		}
	}
	if (find_mount(&view, NULL, &mnt, &root) == 0) {
		dir = own_dir(&view, NULL);
		buf[0] = '\0';
		if (dir != NULL) {
			snprintf(path, sizeof(path), "%s/cgroup.controllers",
			         dir);
			if (mcp_read_head(path, buf, sizeof(buf)) < 0)
				buf[0] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
		}
		v2 = json_pack("{s:s,s:s?,s:s}", "mount", mnt, "cgroup", dir,
		               "controllers", buf);
		free(dir);
		free(mnt);
		free(root);
	}
	view_free(&view);
	/* Checked by trying: create a run cgroup with small limits. */
	cgroup_init(&c);
	cgroup_create(&c, &l, status, sizeof(status));
	if (c.unified != NULL) {
		/* cgroup.kill (5.14) exists in non-root cgroups only. */
		snprintf(path, sizeof(path), "%s/cgroup.kill", c.unified);
		json_object_set_new(v2, "kill",
		                    json_boolean(access(path, F_OK) == 0));
	}
	cgroup_release(&c, NULL, 0);
	json_object_set_new(o, "v1", v1);
	json_object_set_new(o, "v2", v2 ? v2 : json_null());
	json_object_set_new(o, "per_run", json_string(status));
	return o;
}
