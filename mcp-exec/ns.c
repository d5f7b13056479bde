/*
 * ns.c: namespaces, the private root and the minimal init.
 *
 * The private root is a fresh tmpfs, pivoted to, with the old root at
 * /oldroot while it is built and detached after:
 *   /usr, /bin, /sbin, /lib* read-only (symbolic links copied as they are
 *       on the host, so a merged /usr stays merged)
 *   the bundle tree ("tree") read-only at its host path
 *   /etc: passwd and group written for the server's user, hosts written
 *       (for "allowlist" with resolv.conf naming the stub, relay.c; the
 *       host's, with resolv.conf, for "host"),
 *       and the host's ld.so.cache, ld.so.conf(.d), nsswitch.conf,
 *       localtime, ssl, ca-certificates, alternatives, protocols and
 *       services when present: small files copied, directories bound
 *   /dev: null, zero, full, random, urandom, tty bound from the host,
 *       fd, stdin, stdout, stderr links
 *   /proc: a new proc for the new pid namespace, hidepid=invisible
 *   /tmp: a private tmpfs, 1/4 of the memory limit (1 MiB to 1 GiB)
 *   the spec's filesystem grants, each at its host path, ro or rw
 * Every bind is non-recursive (a recursive one only where the kernel
 * insists: a tree with locked mounts below it), then remounted nosuid,
 * nodev (not the device nodes) and read-only unless granted rw, keeping
 * the flags the kernel locks (noexec, the atime flags).  Finally the
 * root itself is remounted read-only.
 */
#include <mcp-config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "ns.h"
#include "relay.h"

#define OLD "/oldroot"

enum { B_RW = 1, B_DEV = 2, B_OPT = 4 };

void
ns_plan_make(struct ns_plan *p, const struct mcp_spec *s, uid_t server_uid,
             gid_t server_gid)
{
	unsigned long long m = s->limits.memory_bytes / 4;

	memset(p, 0, sizeof(*p));
	p->s = s;
	p->server_uid = server_uid;
	p->server_gid = server_gid;
	p->wanted = !(s->disable & (1U << L_NS));
	if (!p->wanted)
		return;
	p->clone_flags = CLONE_NEWPID;
	p->unshare_flags =
	    CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	/* allowlist: loopback only as well, plus the relay's sockets. */
	if (s->net != NET_HOST)
		p->unshare_flags |= CLONE_NEWNET;
	else
		snprintf(p->note, sizeof(p->note),
		         "host network shared (network mode %s)",
		         mcp_spec_net_names[s->net]);
	if (geteuid() != 0) {
		p->clone_flags |= CLONE_NEWUSER;
		p->map_uid = geteuid();
		p->map_gid = getegid();
	}
	p->tmp_bytes = m < (1ULL << 20) ? (1ULL << 20)
	               : m > (1ULL << 30) ? (1ULL << 30)
	                                  : m;
}

void
ns_plan_names(struct ns_plan *p)
{
	const struct passwd *pw;
	const struct group *gr;
	char uname[64], gname[64];
	uid_t server_uid = p->server_uid;
	gid_t server_gid = p->server_gid;

	if (!p->wanted)
		return;
	pw = getpwuid(server_uid);
	gr = getgrgid(server_gid);
	/* Names from the host's database when it has them. */
	snprintf(uname, sizeof(uname), "%s",
	         pw != NULL && strchr(pw->pw_name, ':') == NULL ? pw->pw_name
	                                                        : "mcp");
	snprintf(gname, sizeof(gname), "%s",
	         gr != NULL && strchr(gr->gr_name, ':') == NULL ? gr->gr_name
	                                                        : "mcp");
	snprintf(p->passwd, sizeof(p->passwd),
	         "root:x:0:0:root:/root:/usr/sbin/nologin\n"
	         "%s:x:%u:%u::/tmp:/usr/sbin/nologin\n",
	         uname, (unsigned)server_uid, (unsigned)server_gid);
	if (server_uid != 65534)
		snprintf(p->passwd + strlen(p->passwd),
		         sizeof(p->passwd) - strlen(p->passwd), "%s",
		         "nobody:x:65534:65534:nobody:/nonexistent:"
		         "/usr/sbin/nologin\n");
	snprintf(p->group, sizeof(p->group), "root:x:0:\n%s:x:%u:\n", gname,
	         (unsigned)server_gid);
	if (server_gid != 65534)
		snprintf(p->group + strlen(p->group),
		         sizeof(p->group) - strlen(p->group), "%s",
		         "nogroup:x:65534:\n");
}

/* clone3(2)'s argument, version 2 (Linux 5.7): eleven 64-bit fields,
 * of which these are set (glibc 2.36 has no wrapper, and <linux/sched.h>
 * clashes with <sched.h>).  The number is the same on every architecture. */
enum { CA_FLAGS = 0, CA_EXIT_SIGNAL = 4, CA_CGROUP = 10, CA_COUNT = 11 };
#define MCP_CLONE_INTO_CGROUP 0x200000000ULL
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

pid_t
ns_fork(struct ns_plan *p, int cgroup_fd)
{
	unsigned long long ca[CA_COUNT];
	long pid;

	p->in_cgroup = 0;
	/* Born in the run's v2 cgroup: no migration, which would wait for
	 * an RCU grace period (cgroup.h).  Any refusal (an old kernel, a
	 * cgroup that cannot take processes) falls back to the paths
	 * below, and the parent moves the child. */
	if (cgroup_fd >= 0) {
		memset(ca, 0, sizeof(ca));
		ca[CA_FLAGS] = (unsigned long long)(unsigned)p->clone_flags |
		               MCP_CLONE_INTO_CGROUP;
		ca[CA_EXIT_SIGNAL] = SIGCHLD;
		ca[CA_CGROUP] = (unsigned long long)cgroup_fd;
		/* No stack: it returns twice, like fork(). */
		pid = syscall(SYS_clone3, ca, sizeof(ca));
		if (pid >= 0) {
			p->in_cgroup = 1;
			p->pidns = (p->clone_flags & CLONE_NEWPID) != 0;
			p->userns = (p->clone_flags & CLONE_NEWUSER) != 0;
			return (pid_t)pid;
		}
	}
	if (p->clone_flags == 0)
		return fork();
	/* A fork into new namespaces: no stack, so it returns twice. */
	pid = syscall(SYS_clone, (unsigned long)p->clone_flags | SIGCHLD,
	              NULL, NULL, NULL, NULL);
	if (pid >= 0) {
		p->pidns = 1;
		p->userns = (p->clone_flags & CLONE_NEWUSER) != 0;
		return (pid_t)pid;
	}
	snprintf(p->note, sizeof(p->note), "clone: %s", strerror(errno));
	p->unshare_flags = 0;
	return fork();
}

static int
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int rc;

	if (fd < 0)
		return -1;
	rc = mcp_write_all(fd, text, strlen(text));
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

int
ns_write_maps(const struct ns_plan *p, pid_t pid, char *why, size_t n)
{
	char path[64], map[64];

	if (!p->userns)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/setgroups", (long)pid);
	if (write_file(path, "deny", 0) < 0)
		goto fail;
	snprintf(path, sizeof(path), "/proc/%ld/uid_map", (long)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)p->map_uid,
	         (unsigned)p->map_uid);
	if (write_file(path, map, 0) < 0)
		goto fail;
	snprintf(path, sizeof(path), "/proc/%ld/gid_map", (long)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)p->map_gid,
	         (unsigned)p->map_gid);
	if (write_file(path, map, 0) < 0)
		goto fail;
	return 0;
fail:
	snprintf(why, n, "%s: %s", path, strerror(errno));
	return -1;
}

static int
failf(char *why, size_t n, const char *what, const char *path)
{
	snprintf(why, n, "%s %.150s: %s", what, path, strerror(errno));
	return -1;
}

/* The per-mount flags the kernel may lock, as the mount at PATH has them. */
static unsigned long
kept_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	return f;
}

/* Bind host path HOST (under OLD) at the same path in the new root. */
static int
bind_path(const char *host, int how, char *why, size_t n)
{
	char src[PATH_MAX];
	struct stat st;
	unsigned long fl;

	if ((size_t)snprintf(src, sizeof(src), OLD "%s", host) >= sizeof(src)) {
		errno = ENAMETOOLONG;
		return failf(why, n, "bind", host);
	}
	if (stat(src, &st) < 0) {
		if ((how & B_OPT) && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		return failf(why, n, "bind", host);
	}
	if (mcp_make_mount_point("", host, S_ISDIR(st.st_mode)) < 0)
		return failf(why, n, "mount point", host);
	if (mount(src, host, NULL, MS_BIND, NULL) < 0 &&
	    (errno != EINVAL ||
	     mount(src, host, NULL, MS_BIND | MS_REC, NULL) < 0))
		return failf(why, n, "bind", host);
	fl = MS_BIND | MS_REMOUNT | MS_NOSUID | kept_flags(host);
	if (!(how & B_DEV))
		fl |= MS_NODEV;
	if (!(how & B_RW))
		fl |= MS_RDONLY;
	if (mount(NULL, host, NULL, fl, NULL) < 0)
		return failf(why, n, "remount", host);
	return 0;
}

/* A top-level system directory: a link as on the host, or a bind. */
static int
system_dir(const char *path, char *why, size_t n)
{
	char src[64], target[PATH_MAX];
	struct stat st;
	ssize_t len;

	snprintf(src, sizeof(src), OLD "%s", path);
	if (lstat(src, &st) < 0)
		return 0;
	if (!S_ISLNK(st.st_mode))
		return S_ISDIR(st.st_mode) ? bind_path(path, 0, why, n) : 0;
	len = readlink(src, target, sizeof(target) - 1);
	if (len < 0)
		return failf(why, n, "readlink", path);
	target[len] = '\0';
	if (symlink(target, path) < 0)
		return failf(why, n, "symlink", path);
	return 0;
}

/*
 * A small regular file of the host's /etc (symbolic links followed), as
 * a copy in the new root, which is made read-only at the end: a mount per
 * file costs more, at set-up and again at tear-down.  A directory, or a
 * file of 1 MiB or more, is bound instead (bind_path).
 */
static int
copy_or_bind(const char *host, char *why, size_t n)
{
	char src[PATH_MAX];
	struct stat st;
	off_t left;
	ssize_t w;
	int in, out;

	snprintf(src, sizeof(src), OLD "%s", host);
	if ((in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) <
	    0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return failf(why, n, "open", host);
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size >= (off_t)1 << 20) {
		close(in);
		return bind_path(host, B_OPT, why, n);
	}
	if ((out = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) <
	    0) {
		close(in);
		return failf(why, n, "copy", host);
	}
	for (left = st.st_size; left > 0; left -= w)
		if ((w = sendfile(out, in, NULL, (size_t)left)) <= 0)
			break;
	close(in);
	if (close(out) < 0 || left > 0)
		return failf(why, n, "copy", host);
	return 0;
}

static int
make_etc(const struct ns_plan *p, char *why, size_t n)
{
	static const char *const always[] = {
	    "/etc/ld.so.cache", "/etc/ld.so.conf",  "/etc/ld.so.conf.d",
	    "/etc/nsswitch.conf", "/etc/localtime", "/etc/ssl",
	    "/etc/ca-certificates", "/etc/alternatives", "/etc/protocols",
	    "/etc/services",      NULL,
	};
	static const char *const net[] = {
	    "/etc/hosts", "/etc/resolv.conf", "/etc/gai.conf", "/etc/host.conf",
	    NULL,
	};
	size_t i;

	if (mkdir("/etc", 0755) < 0)
		return failf(why, n, "mkdir", "/etc");
	if (write_file("/etc/passwd", p->passwd, 0644) < 0)
		return failf(why, n, "write", "/etc/passwd");
	if (write_file("/etc/group", p->group, 0644) < 0)
		return failf(why, n, "write", "/etc/group");
	for (i = 0; always[i] != NULL; i++)
		if (copy_or_bind(always[i], why, n) < 0)
			return -1;
	if (p->s->net == NET_ALLOWLIST && (p->unshare_flags & CLONE_NEWNET)) {
		if (relay_etc(p->s) < 0)
			return failf(why, n, "write", "/etc/hosts, resolv.conf");
		return 0;
	}
	if (p->s->net == NET_NONE) {
		if (write_file("/etc/hosts",
		               "127.0.0.1\tlocalhost\n"
		               "::1\tlocalhost ip6-localhost ip6-loopback\n",
		               0644) < 0)
			return failf(why, n, "write", "/etc/hosts");
		return 0;
	}
	for (i = 0; net[i] != NULL; i++)
		if (bind_path(net[i], B_OPT, why, n) < 0)
			return -1;
	return 0;
}

static int
make_dev(char *why, size_t n)
{
	static const char *const nodes[] = {
	    "/dev/null",   "/dev/zero", "/dev/full",
	    "/dev/random", "/dev/urandom", "/dev/tty", NULL,
	};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "/dev/fd"},
	    {"/proc/self/fd/0", "/dev/stdin"},
	    {"/proc/self/fd/1", "/dev/stdout"},
	    {"/proc/self/fd/2", "/dev/stderr"},
	};
	size_t i;

	if (mkdir("/dev", 0755) < 0)
		return failf(why, n, "mkdir", "/dev");
	for (i = 0; nodes[i] != NULL; i++)
		if (bind_path(nodes[i], B_OPT | B_RW | B_DEV, why, n) < 0)
			return -1;
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return failf(why, n, "symlink", links[i][1]);
	return 0;
}

/* /run/secrets: a private tmpfs, a file per secret, 0400, the server's,
 * then read-only (systemd's LoadCredential= layout). */
static int
make_secrets(const struct ns_plan *p, char *why, size_t n)
{
	char opts[96], path[PATH_MAX];
	size_t i;
	int fd;

	if (mcp_make_mount_point("", "/run/secrets", 1) < 0)
		return failf(why, n, "mkdir", "/run/secrets");
	snprintf(opts, sizeof(opts), "mode=0500,size=1m,nr_inodes=1024,uid=%u,gid=%u",
	         (unsigned)p->server_uid, (unsigned)p->server_gid);
	if (mount("tmpfs", "/run/secrets", "tmpfs",
	          MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return failf(why, n, "mount tmpfs on", "/run/secrets");
	for (i = 0; i < p->nsecrets; i++) {
		snprintf(path, sizeof(path), "/run/secrets/%s",
		         p->secrets[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
		if (fd < 0 ||
		    mcp_write_all(fd, p->secrets[i].value,
		                  strlen(p->secrets[i].value)) < 0 ||
		    fchown(fd, p->server_uid, p->server_gid) < 0) {
			if (fd >= 0)
				close(fd);
			return failf(why, n, "write", path);
		}
		close(fd);
	}
	if (mount(NULL, "/run/secrets", NULL,
	          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
	              MS_NOEXEC,
	          NULL) < 0)
		return failf(why, n, "remount read-only", "/run/secrets");
	return 0;
}

static int
make_root(const struct ns_plan *p, char *why, size_t n)
{
	static const char *const sys[] = {
	    "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL,
	};
	const struct mcp_spec *s = p->s;
	char opts[64];
	size_t i;

	/* Nothing mounted here reaches the host, nor the other way. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return failf(why, n, "make private", "/");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
	          "mode=0755,size=1m,nr_inodes=4096") < 0)
		return failf(why, n, "mount tmpfs on", "/tmp");
	if (chdir("/tmp") < 0 || mkdir("oldroot", 0700) < 0 ||
	    syscall(SYS_pivot_root, ".", "oldroot") < 0 || chdir("/") < 0)
		return failf(why, n, "pivot_root", "/tmp");
	if (bind_path("/usr", 0, why, n) < 0)
		return -1;
	for (i = 0; sys[i] != NULL; i++)
		if (system_dir(sys[i], why, n) < 0)
			return -1;
	if (make_etc(p, why, n) < 0 || make_dev(why, n) < 0)
		return -1;
	if (mkdir("/proc", 0555) < 0)
		return failf(why, n, "mkdir", "/proc");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          "hidepid=invisible") < 0 &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          NULL) < 0)
		return failf(why, n, "mount", "/proc");
	if (mkdir("/tmp", 01777) < 0)
		return failf(why, n, "mkdir", "/tmp");
	snprintf(opts, sizeof(opts), "mode=1777,size=%llu", p->tmp_bytes);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return failf(why, n, "mount tmpfs on", "/tmp");
	if (s->tree != NULL && bind_path(s->tree, 0, why, n) < 0)
		return -1;
	if (p->nsecrets > 0 && make_secrets(p, why, n) < 0)
		return -1;
	for (i = 0; i < s->ngrants; i++)
		if (bind_path(s->grants[i].path, s->grants[i].rw ? B_RW : 0,
		              why, n) < 0)
			return -1;
	if (umount2(OLD, MNT_DETACH) < 0)
		return failf(why, n, "umount", OLD);
	if (rmdir(OLD) < 0)
		return failf(why, n, "rmdir", OLD);
	if (mount(NULL, "/", NULL,
	          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
	          NULL) < 0)
		return failf(why, n, "remount read-only", "/");
	return 0;
}

/* Bring the new network namespace's loopback up. */
static int
loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

void
ns_unshare(struct ns_plan *p)
{
	p->unshare_err = 0;
	if (!p->wanted || !p->pidns)
		return;
	/* The cgroup namespace waits for the cgroups (ns_enter). */
	if (unshare(p->unshare_flags & ~CLONE_NEWCGROUP) < 0)
		p->unshare_err = errno ? errno : EINVAL;
}

int
ns_enter(struct ns_plan *p, char *status, size_t ns, char *why, size_t n)
{
	char note[LAYER_TEXT];

	if (!p->wanted) {
		snprintf(status, ns, "skipped: disabled by the spec");
		return 0;
	}
	if (!p->pidns) {
		snprintf(status, ns, "skipped: %s", p->note);
		return 0;
	}
	snprintf(note, sizeof(note), "%s", p->note);
	if (p->unshare_err != 0) {
		snprintf(status, ns,
		         "degraded: pid%s namespace only; unshare: %s",
		         p->userns ? " and user" : "", strerror(p->unshare_err));
		return 0;
	}
	if ((p->unshare_flags & CLONE_NEWCGROUP) &&
	    unshare(CLONE_NEWCGROUP) < 0)
		snprintf(note, sizeof(note), "cgroup namespace: %s",
		         strerror(errno));
	if (sethostname("mcp", 3) < 0)
		return failf(why, n, "sethostname", "mcp");
	if ((p->unshare_flags & CLONE_NEWNET) && loopback_up() < 0)
		snprintf(note, sizeof(note), "loopback down: %s",
		         strerror(errno));
	if (make_root(p, why, n) < 0)
		return -1;
	p->root = 1;
	if (note[0] != '\0')
		snprintf(status, ns, "degraded: %s", note);
	else
		snprintf(status, ns, "applied");
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
}

int
ns_init(int (*lock)(void *), void (*report)(void *, int), void *arg)
{
	static const int fwd[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
	                          SIGUSR1, SIGUSR2, SIGWINCH};
	struct sigaction sa;
	sigset_t set;
	siginfo_t si;
	pid_t server, pid;
	size_t i;
	int st;

	/* pid 1 gets only the signals it handles, from outside as well. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&set, fwd[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaction(fwd[i], &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	if ((server = fork()) < 0)
		return -1;
	if (server == 0) {
		sa.sa_handler = SIG_DFL;
		for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
			sigaction(fwd[i], &sa, NULL);
		sigaction(SIGCHLD, &sa, NULL);
		return 0;
	}
	prctl(PR_SET_NAME, "mcp-exec-init", 0, 0, 0);
	/* Its memory and environment are mcp-exec's: not for the server. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (lock(arg) < 0) {
		kill(-1, SIGKILL);
		_exit(125);
	}
	for (;;) {
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(server, si.si_signo);
			continue;
		}
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid != server)
				continue;
			/* The run ends with its server. */
			kill(-1, SIGKILL);
			report(arg, st);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st)
			                    : 128 + WTERMSIG(st));
		}
	}
}
