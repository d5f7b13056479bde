/*
 * oci.c: the OCI runtime bundle of a spec (mcp-policy(1), "The OCI
 * bundle"; issue 11).
 *
 * The bundle mirrors mcp-exec's private root: the verified tree (copied
 * into rootfs/, read-only like the whole root), the host's runtime paths
 * (/usr, /bin, /lib*, a few /etc files) bound read-only, a new /proc, a
 * /dev with the runtime's default nodes, a private /tmp, the spec's
 * filesystem grants; the same limits (linux.resources, process.rlimits),
 * no capability, no new privileges, the same namespaces and the same
 * system call filter (common/sandbox.c's table, the one mcp-exec loads).
 *
 * Invariant: no secret value enters the bundle.  mcp-policy never reads a
 * variable's value; the spec names secrets and passed variables only, and
 * config.json carries those names in annotations, never in process.env.
 */
#include <mcp-config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "oci.h"
#include "sandbox.h"
#include "xalloc.h"

/* Deepest tree copied (mcp-verify's archives are far shallower). */
#define TREE_DEPTH_MAX 64

/* The system directories mcp-exec's root has: a link as on the host, or a
 * read-only bind. */
static const char *const sys_dirs[] = {
    "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL,
};
/* /etc files every server gets read-only when the host has them (ns.c). */
static const char *const etc_always[] = {
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/nsswitch.conf",
    "/etc/localtime",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/alternatives",
    "/etc/protocols",
    "/etc/services",
    NULL,
};
/* ... and with network mode host, the resolver's. */
static const char *const etc_net[] = {
    "/etc/hosts", "/etc/resolv.conf", "/etc/gai.conf", "/etc/host.conf", NULL,
};
/* runc's and crun's defaults (the runtime specification's example). */
static const char *const masked[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    NULL,
};
static const char *const readonly[] = {
    "/proc/bus",           "/proc/fs", "/proc/irq", "/proc/sys",
    "/proc/sysrq-trigger", NULL,
};

static void
jset(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) < 0)
		mcp_oom();
}

static void
jpush(json_t *arr, json_t *v)
{
	if (v == NULL || json_array_append_new(arr, v) < 0)
		mcp_oom();
}

static json_t *
jobj(void)
{
	json_t *o = json_object();

	if (o == NULL)
		mcp_oom();
	return o;
}

static json_t *
jarr(void)
{
	json_t *a = json_array();

	if (a == NULL)
		mcp_oom();
	return a;
}

static json_t *
strs(const char *const *v)
{
	json_t *a = jarr();

	for (; *v != NULL; v++)
		jpush(a, json_string(*v));
	return a;
}

/* ---- the target directory ---- */

/* 1 if PATH is an empty directory, 0 if not, -1 (errno) if unreadable. */
static int
empty_dir(const char *path)
{
	struct dirent *d;
	DIR *dir = opendir(path);
	int empty = 1;

	if (dir == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 &&
		    strcmp(d->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(dir);
	return empty;
}

char *
mcp_oci_target(const char *dir, struct mcp_err *e)
{
	char *copy, *slash, *parent, *real, *out;
	const char *base;
	struct stat st;
	int r;

	if (*dir == '\0') {
		mcp_err_set(e, MCP_ERR_USAGE, "option --oci: empty value");
		return NULL;
	}
	/* The absolute name: the parent resolved, the last name kept. */
	copy = xstrdup(dir);
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	slash = strrchr(copy, '/');
	if (slash == NULL) {
		parent = ".";
		base = copy;
	} else {
		*slash = '\0';
		parent = slash == copy ? "/" : copy;
		base = slash + 1;
	}
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "option --oci: %s: must name a new directory", dir);
		free(copy);
		return NULL;
	}
	if (lstat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			mcp_err_set(e, MCP_ERR_RUNTIME,
			            "%s: exists and is not a directory", dir);
			free(copy);
			return NULL;
		}
		if ((r = empty_dir(dir)) <= 0) {
			if (r < 0)
				mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", dir);
			else
				mcp_err_set(e, MCP_ERR_RUNTIME,
				            "%s: exists and is not empty", dir);
			free(copy);
			return NULL;
		}
	} else if (errno != ENOENT) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", dir);
		free(copy);
		return NULL;
	}
	if ((real = realpath(parent, NULL)) == NULL) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", parent);
		free(copy);
		return NULL;
	}
	out = xasprintf("%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
	free(real);
	free(copy);
	return out;
}

/* ---- config.json ---- */

/* S with the tree's host path replaced by MCP_OCI_TREE (component-wise). */
static char *
in_container(const char *s, const char *tree)
{
	size_t n = strlen(tree);

	if (strncmp(s, tree, n) == 0 && (s[n] == '\0' || s[n] == '/'))
		return xasprintf("%s%s", MCP_OCI_TREE, s + n);
	return xstrdup(s);
}

static json_t *
mount_entry(const char *dest, const char *type, const char *src,
            const char *const *opts)
{
	json_t *m = jobj();

	jset(m, "destination", json_string(dest));
	jset(m, "type", json_string(type));
	jset(m, "source", json_string(src));
	jset(m, "options", strs(opts));
	return m;
}

/* A read-only (or read-write) bind of host PATH at the same path.  Not
 * recursive, as mcp-exec's binds. */
static json_t *
bind_entry(const char *path, int rw)
{
	static const char *const ro[] = {"bind", "ro", "nosuid", "nodev", NULL};
	static const char *const rwo[] = {"bind", "rw", "nosuid", "nodev",
	                                  NULL};

	return mount_entry(path, "bind", path, rw ? rwo : ro);
}

/* The size of the private /tmp: a quarter of the memory limit, from
 * 1 MiB to 1 GiB (ns.c). */
static unsigned long long
tmp_bytes(unsigned long long mem)
{
	unsigned long long m = mem / 4;

	return m < (1ULL << 20)   ? (1ULL << 20)
	       : m > (1ULL << 30) ? (1ULL << 30)
	                          : m;
}

static json_t *
mounts(const json_t *spec, const char *mode, unsigned long long mem,
       struct mcp_err *e)
{
	static const char *const proc_o[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const dev_o[] = {"nosuid", "strictatime", "mode=755",
	                                    "size=65536k", NULL};
	const char *tmp_o[] = {"nosuid", "nodev", "mode=1777", NULL, NULL};
	json_t *ms = jarr(), *g;
	char size[64];
	struct stat st;
	size_t i;
	int host = mode != NULL && strcmp(mode, "host") == 0;

	jpush(ms, mount_entry("/proc", "proc", "proc", proc_o));
	jpush(ms, mount_entry("/dev", "tmpfs", "tmpfs", dev_o));
	snprintf(size, sizeof(size), "size=%llu", tmp_bytes(mem));
	tmp_o[3] = size;
	jpush(ms, mount_entry("/tmp", "tmpfs", "tmpfs", tmp_o));
	jpush(ms, bind_entry("/usr", 0));
	for (i = 0; sys_dirs[i] != NULL; i++)
		if (lstat(sys_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			jpush(ms, bind_entry(sys_dirs[i], 0));
	for (i = 0; etc_always[i] != NULL; i++)
		if (stat(etc_always[i], &st) == 0)
			jpush(ms, bind_entry(etc_always[i], 0));
	for (i = 0; host && etc_net[i] != NULL; i++)
		if (stat(etc_net[i], &st) == 0)
			jpush(ms, bind_entry(etc_net[i], 0));
	json_array_foreach(json_object_get(spec, "filesystem"), i, g)
	{
		const char *p = json_string_value(json_object_get(g, "path"));
		const char *a = json_string_value(json_object_get(g, "access"));

		if (p == NULL || a == NULL || p[0] != '/') {
			json_decref(ms);
			mcp_err_set(e, MCP_ERR_USAGE,
			            "filesystem[%zu]: not {path, access}", i);
			return NULL;
		}
		if (strcmp(p, "/mcp") == 0 || strncmp(p, "/mcp/", 5) == 0) {
			json_decref(ms);
			mcp_err_set(e, MCP_ERR_RUNTIME,
			            "filesystem grant %s: collides with the "
			            "bundle's tree at " MCP_OCI_TREE,
			            p);
			return NULL;
		}
		jpush(ms, bind_entry(p, strchr(a, 'w') != NULL));
	}
	return ms;
}

/* One seccomp rule of the shared table, appended to the OCI list; rules
 * without comparisons and with the same errno share one entry. */
static int
seccomp_rule(const struct mcp_sandbox_rule *r, void *arg)
{
	json_t *list = arg, *last, *ent, *args, *a;
	unsigned i;

	last = json_array_get(list, json_array_size(list) - 1);
	if (r->nargs == 0 && last != NULL &&
	    json_object_get(last, "args") == NULL &&
	    json_integer_value(json_object_get(last, "errnoRet")) == r->err) {
		jpush(json_object_get(last, "names"), json_string(r->name));
		return 0;
	}
	ent = jobj();
	jset(ent, "names", jarr());
	jpush(json_object_get(ent, "names"), json_string(r->name));
	jset(ent, "action", json_string("SCMP_ACT_ERRNO"));
	jset(ent, "errnoRet", json_integer(r->err));
	if (r->nargs > 0) {
		args = jarr();
		for (i = 0; i < r->nargs; i++) {
			a = jobj();
			jset(a, "index", json_integer(r->args[i].index));
			jset(a, "value",
			     json_integer((json_int_t)r->args[i].a));
			jset(a, "valueTwo",
			     json_integer((json_int_t)r->args[i].b));
			jset(a, "op",
			     json_string(mcp_sandbox_op_name(r->args[i].op)));
			jpush(args, a);
		}
		jset(ent, "args", args);
	}
	jpush(list, ent);
	return 0;
}

static json_t *
seccomp(int subprocess)
{
	json_t *s = jobj(), *list = jarr(), *arch = jarr();
	const char *native = mcp_sandbox_oci_arch();

	jset(s, "defaultAction", json_string("SCMP_ACT_ALLOW"));
	/* Only the native architecture: the runtime kills a call of any
	 * other (libseccomp's bad-architecture action), as mcp-exec does. */
	if (native != NULL)
		jpush(arch, json_string(native));
	jset(s, "architectures", arch);
	mcp_sandbox_rules(subprocess, seccomp_rule, list);
	jset(s, "syscalls", list);
	return s;
}

static json_t *
rlimit(const char *type, unsigned long long soft, unsigned long long hard)
{
	json_t *r = jobj();

	jset(r, "type", json_string(type));
	jset(r, "hard", json_integer((json_int_t)hard));
	jset(r, "soft", json_integer((json_int_t)soft));
	return r;
}

/* A limit of the spec, which mcp-policy itself has just made positive. */
static unsigned long long
limit(const json_t *spec, const char *key)
{
	const json_t *v = json_object_get(json_object_get(spec, "limits"), key);

	return json_is_integer(v) && json_integer_value(v) > 0
	           ? (unsigned long long)json_integer_value(v)
	           : 0;
}

/* Names of a JSON array of strings (or of {name} objects), comma-joined. */
static json_t *
joined(const json_t *a)
{
	char buf[4096];
	size_t i, o = 0;
	const json_t *v;
	const char *s;

	buf[0] = '\0';
	json_array_foreach(a, i, v)
	{
		s = json_is_string(v)
		        ? json_string_value(v)
		        : json_string_value(json_object_get(v, "name"));
		if (s == NULL)
			continue;
		o += (size_t)snprintf(buf + o,
		                      o < sizeof(buf) ? sizeof(buf) - o : 0,
		                      "%s%s", o ? "," : "", s);
	}
	return json_string(buf);
}

static json_t *
annotations(const json_t *spec)
{
	static const char *const ident[] = {
	    "ref",           "package", "version", "manifest_digest",
	    "bundle_digest", NULL,
	};
	const json_t *net = json_object_get(spec, "network"),
	             *proc = json_object_get(spec, "process"),
	             *tr = json_object_get(spec, "transport");
	json_t *a = jobj();
	char key[128], buf[64];
	size_t i;

	for (i = 0; ident[i] != NULL; i++) {
		const json_t *v = json_object_get(spec, ident[i]);

		snprintf(key, sizeof(key), "org.mcp-tools.%s", ident[i]);
		if (json_is_string(v))
			jset(a, key, json_string(json_string_value(v)));
	}
	jset(a, "org.mcp-tools.kind", json_string("mcp.oci/v1"));
	jset(a, "org.mcp-tools.tree", json_string(MCP_OCI_TREE));
	jset(a, "org.mcp-tools.unexpressed",
	     joined(
	         json_object_get(json_object_get(spec, "oci"), "unexpressed")));
	snprintf(buf, sizeof(buf), "%llu", limit(spec, "timeout_ms"));
	jset(a, "org.mcp-tools.timeout_ms", json_string(buf));
	jset(a, "org.mcp-tools.network.mode",
	     json_string(json_string_value(json_object_get(net, "mode"))
	                     ? json_string_value(json_object_get(net, "mode"))
	                     : "none"));
	jset(a, "org.mcp-tools.network.allow",
	     joined(json_object_get(net, "allow")));
	jset(a, "org.mcp-tools.secrets",
	     joined(json_object_get(proc, "secrets")));
	jset(a, "org.mcp-tools.pass_env",
	     joined(json_object_get(proc, "pass_env")));
	jset(a, "org.mcp-tools.transport",
	     json_string(json_string_value(json_object_get(tr, "type"))
	                     ? json_string_value(json_object_get(tr, "type"))
	                     : "stdio"));
	return a;
}

json_t *
mcp_oci_config(const json_t *spec, struct mcp_err *e)
{
	const json_t *proc = json_object_get(spec, "process"), *v;
	const char *tree = json_string_value(json_object_get(spec, "tree"));
	const char *mode = json_string_value(
	    json_object_get(json_object_get(spec, "network"), "mode"));
	const char *cwd = json_string_value(json_object_get(proc, "cwd"));
	const char *name,
	    *um = json_string_value(json_object_get(proc, "umask"));
	unsigned long long mem = limit(spec, "memory_bytes"),
	                   pids = limit(spec, "pids"),
	                   cpu = limit(spec, "cpu_millicores"),
	                   fds = limit(spec, "fds"),
	                   tmo = limit(spec, "timeout_ms");
	struct mcp_sandbox_rlimits rl;
	json_t *c = NULL, *p, *o, *a, *lx, *res, *ms;
	char *s;
	size_t i;

	if (tree == NULL || cwd == NULL || mem == 0 || pids == 0 || cpu == 0 ||
	    fds == 0 || tmo == 0 ||
	    !json_is_array(json_object_get(proc, "argv"))) {
		mcp_err_set(e, MCP_ERR_USAGE,
		            "spec: tree, process or limits incomplete");
		return NULL;
	}
	if ((ms = mounts(spec, mode, mem, e)) == NULL)
		return NULL;
	c = jobj();
	jset(c, "ociVersion", json_string("1.0.2"));

	p = jobj();
	jset(p, "terminal", json_false());
	o = jobj();
	jset(o, "uid", json_integer(MCP_OCI_UID));
	jset(o, "gid", json_integer(MCP_OCI_UID));
	jset(o, "umask", json_integer(um != NULL ? strtol(um, NULL, 8) : 077));
	jset(p, "user", o);
	a = jarr();
	json_array_foreach(json_object_get(proc, "argv"), i, v)
	{
		if (!json_is_string(v)) {
			json_decref(ms);
			json_decref(c);
			json_decref(p);
			json_decref(a);
			mcp_err_set(e, MCP_ERR_USAGE,
			            "spec: process.argv[%zu]: not a string", i);
			return NULL;
		}
		s = in_container(json_string_value(v), tree);
		jpush(a, json_string(s));
		free(s);
	}
	jset(p, "args", a);
	/* Fixed values only: secrets and passed variables are names, in the
	 * annotations, for the orchestrator to provide. */
	a = jarr();
	json_object_foreach((json_t *)json_object_get(proc, "env"), name, v)
	{
		if (!json_is_string(v))
			continue;
		s = xasprintf("%s=%s", name, json_string_value(v));
		jpush(a, json_string(s));
		free(s);
	}
	jset(p, "env", a);
	s = in_container(cwd, tree);
	jset(p, "cwd", json_string(s));
	free(s);
	o = jobj();
	jset(o, "bounding", jarr());
	jset(o, "effective", jarr());
	jset(o, "inheritable", jarr());
	jset(o, "permitted", jarr());
	jset(o, "ambient", jarr());
	jset(p, "capabilities", o);
	mcp_sandbox_rlimits(cpu, mem, fds, tmo, &rl);
	a = jarr();
	jpush(a, rlimit("RLIMIT_NOFILE", rl.nofile, rl.nofile));
	jpush(a, rlimit("RLIMIT_CPU", rl.cpu_soft, rl.cpu_hard));
	jpush(a, rlimit("RLIMIT_DATA", rl.data, rl.data));
	jpush(a, rlimit("RLIMIT_FSIZE", rl.fsize, rl.fsize));
	jpush(a, rlimit("RLIMIT_CORE", rl.core, rl.core));
	jset(p, "rlimits", a);
	jset(p, "noNewPrivileges", json_true());
	jset(c, "process", p);

	o = jobj();
	jset(o, "path", json_string("rootfs"));
	jset(o, "readonly", json_true());
	jset(c, "root", o);
	jset(c, "hostname", json_string("mcp"));
	jset(c, "mounts", ms);

	lx = jobj();
	res = jobj();
	a = jarr();
	o = jobj();
	jset(o, "allow", json_false());
	jset(o, "access", json_string("rwm"));
	jpush(a, o);
	jset(res, "devices", a);
	o = jobj();
	jset(o, "limit", json_integer((json_int_t)mem));
	/* memory + swap = memory: no swap (a limit that swaps is none). */
	jset(o, "swap", json_integer((json_int_t)mem));
	jset(res, "memory", o);
	o = jobj();
	jset(o, "limit", json_integer((json_int_t)pids));
	jset(res, "pids", o);
	o = jobj();
	jset(o, "quota", json_integer((json_int_t)mcp_sandbox_cpu_quota(cpu)));
	jset(o, "period", json_integer(MCP_SANDBOX_CPU_PERIOD_US));
	jset(res, "cpu", o);
	jset(lx, "resources", res);
	a = jarr();
	{
		static const char *const ns[] = {"pid",   "ipc",    "uts",
		                                 "mount", "cgroup", NULL};

		for (i = 0; ns[i] != NULL; i++) {
			o = jobj();
			jset(o, "type", json_string(ns[i]));
			jpush(a, o);
		}
	}
	/* A new network namespace has loopback only: modes none and
	 * allowlist (whose relay the orchestrator replaces); host shares. */
	if (mode == NULL || strcmp(mode, "host") != 0) {
		o = jobj();
		jset(o, "type", json_string("network"));
		jpush(a, o);
	}
	jset(lx, "namespaces", a);
	jset(lx, "maskedPaths", strs(masked));
	jset(lx, "readonlyPaths", strs(readonly));
	jset(lx, "seccomp",
	     seccomp(json_is_true(json_object_get(spec, "subprocess"))));
	jset(c, "linux", lx);
	jset(c, "annotations", annotations(spec));
	return c;
}

/* ---- rootfs ---- */

static int
write_file_at(int dfd, const char *name, const char *text, mode_t mode)
{
	int fd =
	    openat(dfd, name,
	           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int rc;

	if (fd < 0)
		return -1;
	rc = mcp_write_all(fd, text, strlen(text));
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* Copy the open directory SRC into the open directory DST: directories,
 * regular files (without write permission) and symbolic links (as they
 * are: mcp-verify admits none that leaves the tree).  Anything else is
 * refused, as mcp-verify refuses it. */
static int
copy_tree(int src, int dst, const char *rel, int depth, struct mcp_err *e)
{
	/* Static: this recurses, and only one copy runs at a time. */
	static char buf[65536], target[PATH_MAX];
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	ssize_t n;
	int in, out, sfd, dfd, rc = -1;

	if (depth > TREE_DEPTH_MAX)
		return mcp_err_set(e, MCP_ERR_RUNTIME,
		                   "tree: %s: deeper than %d levels", rel,
		                   TREE_DEPTH_MAX);
	if ((sfd = dup(src)) < 0 || (dir = fdopendir(sfd)) == NULL) {
		if (sfd >= 0)
			close(sfd);
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "tree: %s", rel);
	}
	while ((errno = 0, d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", rel, d->d_name);
		if (fstatat(src, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "tree: %s", path);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dst, d->d_name, 0755) < 0 ||
			    (sfd = openat(src, d->d_name,
			                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			                      O_CLOEXEC)) < 0) {
				mcp_err_sys(e, MCP_ERR_RUNTIME, "tree: %s",
				            path);
				goto out;
			}
			if ((dfd = openat(dst, d->d_name,
			                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			                      O_CLOEXEC)) < 0) {
				close(sfd);
				mcp_err_sys(e, MCP_ERR_RUNTIME, "rootfs: %s",
				            path);
				goto out;
			}
			rc = copy_tree(sfd, dfd, path, depth + 1, e);
			close(sfd);
			close(dfd);
			if (rc < 0)
				goto out;
			rc = -1;
		} else if (S_ISLNK(st.st_mode)) {
			n = readlinkat(src, d->d_name, target,
			               sizeof(target) - 1);
			if (n < 0 || (target[n] = '\0',
			              symlinkat(target, dst, d->d_name) < 0)) {
				mcp_err_sys(e, MCP_ERR_RUNTIME, "tree: %s",
				            path);
				goto out;
			}
		} else if (S_ISREG(st.st_mode)) {
			in = openat(src, d->d_name,
			            O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			out = in < 0
			          ? -1
			          : openat(dst, d->d_name,
			                   O_WRONLY | O_CREAT | O_EXCL |
			                       O_NOFOLLOW | O_CLOEXEC,
			                   (st.st_mode & 0111) ? 0555 : 0444);
			while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
				if (mcp_write_all(out, buf, (size_t)n) < 0) {
					n = -1;
					break;
				}
			if (in < 0 || out < 0 || n < 0 || close(out) < 0) {
				mcp_err_sys(e, MCP_ERR_RUNTIME, "tree: %s",
				            path);
				if (in >= 0)
					close(in);
				goto out;
			}
			close(in);
		} else {
			mcp_err_set(e, MCP_ERR_RUNTIME,
			            "tree: %s: not a file, directory or "
			            "symbolic link",
			            path);
			goto out;
		}
	}
	if (errno != 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "tree: %s", rel);
		goto out;
	}
	rc = 0;
out:
	closedir(dir);
	return rc;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	/* Best effort: a failure leaves litter, never stops the walk. */
	if (flag == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

/* rm -rf PATH, best effort (a failed bundle leaves no litter). */
static void
remove_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
make_rootfs(const char *root, const json_t *spec, struct mcp_err *e)
{
	const char *tree = json_string_value(json_object_get(spec, "tree"));
	const char *mode = json_string_value(
	    json_object_get(json_object_get(spec, "network"), "mode"));
	char target[PATH_MAX], link[PATH_MAX];
	struct stat st;
	const json_t *g;
	ssize_t n;
	size_t i;
	int src = -1, dst = -1, efd = -1, rc = -1;
	int host = mode != NULL && strcmp(mode, "host") == 0;

	if (mkdir(root, 0755) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", root);
	if (mcp_make_mount_point(root, "/proc", 1) < 0 ||
	    mcp_make_mount_point(root, "/dev", 1) < 0 ||
	    mcp_make_mount_point(root, "/tmp", 1) < 0 ||
	    mcp_make_mount_point(root, "/usr", 1) < 0 ||
	    mcp_make_mount_point(root, MCP_OCI_TREE, 1) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s: mount points",
		                   root);
	snprintf(link, sizeof(link), "%s/tmp", root);
	if (chmod(link, 01777) < 0)
		return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", link);
	for (i = 0; sys_dirs[i] != NULL; i++) {
		if (lstat(sys_dirs[i], &st) < 0)
			continue;
		snprintf(link, sizeof(link), "%s%s", root, sys_dirs[i]);
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(link, 0755) < 0)
				return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s",
				                   link);
			continue;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		/* A merged /usr stays merged: the link as on the host. */
		if ((n = readlink(sys_dirs[i], target, sizeof(target) - 1)) < 0)
			return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s",
			                   sys_dirs[i]);
		target[n] = '\0';
		if (symlink(target, link) < 0)
			return mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", link);
	}
	/* /etc: the server's passwd and group, hosts without a network. */
	snprintf(link, sizeof(link), "%s/etc", root);
	if (mkdir(link, 0755) < 0 ||
	    (efd = open(link, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    write_file_at(efd, "passwd",
	                  "root:x:0:0:root:/root:/usr/sbin/nologin\n"
	                  "nobody:x:65534:65534:nobody:/tmp:"
	                  "/usr/sbin/nologin\n",
	                  0644) < 0 ||
	    write_file_at(efd, "group", "root:x:0:\nnogroup:x:65534:\n", 0644) <
	        0 ||
	    (!host &&
	     write_file_at(efd, "hosts",
	                   "127.0.0.1\tlocalhost\n"
	                   "::1\tlocalhost ip6-localhost ip6-loopback\n",
	                   0644) < 0)) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", link);
		goto out;
	}
	for (i = 0; etc_always[i] != NULL; i++)
		if (stat(etc_always[i], &st) == 0 &&
		    mcp_make_mount_point(root, etc_always[i], S_ISDIR(st.st_mode)) < 0) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s%s", root,
			            etc_always[i]);
			goto out;
		}
	for (i = 0; host && etc_net[i] != NULL; i++)
		if (stat(etc_net[i], &st) == 0 &&
		    mcp_make_mount_point(root, etc_net[i], S_ISDIR(st.st_mode)) < 0) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s%s", root,
			            etc_net[i]);
			goto out;
		}
	/* Grants' mount points, but under /tmp (a tmpfs by then: the
	 * runtime makes those). */
	json_array_foreach(json_object_get(spec, "filesystem"), i, g)
	{
		const char *p = json_string_value(json_object_get(g, "path"));

		if (p == NULL || strcmp(p, "/tmp") == 0 ||
		    strncmp(p, "/tmp/", 5) == 0)
			continue;
		if (mcp_make_mount_point(root, p,
		               stat(p, &st) < 0 || S_ISDIR(st.st_mode)) < 0) {
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s%s", root, p);
			goto out;
		}
	}
	/* The verified tree itself. */
	snprintf(link, sizeof(link), "%s" MCP_OCI_TREE, root);
	if ((src = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "tree %s", tree);
		goto out;
	}
	if ((dst = open(link, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", link);
		goto out;
	}
	rc = copy_tree(src, dst, tree, 0, e);
out:
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	if (efd >= 0)
		close(efd);
	return rc;
}

int
mcp_oci_write(const char *dir, const json_t *spec, struct mcp_err *e)
{
	char *tmp = NULL, *path = NULL, *text = NULL;
	json_t *config = NULL;
	int fd = -1, rc = -1;

	if ((config = mcp_oci_config(spec, e)) == NULL)
		return -1;
	tmp = xasprintf("%s.tmp-XXXXXX", dir);
	if (mkdtemp(tmp) == NULL) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		free(tmp);
		json_decref(config);
		return -1;
	}
	if (chmod(tmp, 0755) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", tmp);
		goto out;
	}
	path = xasprintf("%s/rootfs", tmp);
	if (make_rootfs(path, spec, e) < 0)
		goto out;
	free(path);
	path = xasprintf("%s/config.json", tmp);
	if ((text = json_dumps(config, JSON_INDENT(2))) == NULL)
		mcp_oom();
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) <
	        0 ||
	    mcp_write_all(fd, text, strlen(text)) < 0 ||
	    mcp_write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", path);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", path);
		goto out;
	}
	fd = -1;
	/* Last: an empty DIR is replaced, a non-empty one (made since the
	 * check) refuses, and nobody ever sees half a bundle. */
	if (rename(tmp, dir) < 0) {
		if (errno == ENOTEMPTY || errno == EEXIST)
			mcp_err_set(e, MCP_ERR_RUNTIME,
			            "%s: exists and is not empty", dir);
		else
			mcp_err_sys(e, MCP_ERR_RUNTIME, "%s", dir);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		remove_tree(tmp);
	free(text);
	free(path);
	free(tmp);
	json_decref(config);
	return rc;
}
