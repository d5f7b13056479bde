/*
 * landlock.c: filesystem, TCP and scope rules (mcp-exec(1), "Landlock").
 *
 * The rules mirror the mounts of the private root:
 *   /usr, /lib*, /bin, /sbin, the tree   read (and execute, see below)
 *   /etc, /proc                          read
 *   /dev                                 read, write, truncate, ioctl
 *   /tmp                                 read, write, create, remove (no
 *                                        execute: nothing downloaded runs)
 *   filesystem grants                    read, or read and write
 *   /                                    list, under the private root only
 * Execute: with "subprocess", anywhere in /usr, /lib* and the tree; without
 * it, only the entrypoint, the interpreter its "#!" line names and the ELF
 * interpreter (ld.so) of either: seccomp refuses new processes, Landlock
 * refuses exec'ing anything else in place.
 * TCP (ABI 4): network "none": no bind, no connect; "allowlist": connect
 * to the allowlist's ports only; "host": not restricted.  An http
 * transport's port may be bound.  Scopes (ABI 6): abstract unix sockets
 * and signals stay inside the run.  Rights the kernel's ABI lacks are
 * dropped and the layer recorded as degraded, saying which.
 */
#include <mcp-config.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "xalloc.h"

/* Rights newer than the C library's headers may know. */
#define LL_X (1ULL << 0)
#define LL_WRITE (1ULL << 1)
#define LL_READ (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_REMOVE_DIR (1ULL << 4)
#define LL_REMOVE_FILE (1ULL << 5)
#define LL_MAKE_CHAR (1ULL << 6)
#define LL_MAKE_DIR (1ULL << 7)
#define LL_MAKE_REG (1ULL << 8)
#define LL_MAKE_SOCK (1ULL << 9)
#define LL_MAKE_FIFO (1ULL << 10)
#define LL_MAKE_BLOCK (1ULL << 11)
#define LL_MAKE_SYM (1ULL << 12)
#define LL_REFER (1ULL << 13)
#define LL_TRUNCATE (1ULL << 14)
#define LL_IOCTL_DEV (1ULL << 15)
#define LL_FILE_RIGHTS (LL_X | LL_WRITE | LL_READ | LL_TRUNCATE | LL_IOCTL_DEV)
#define LL_NET_BIND (1ULL << 0)
#define LL_NET_CONNECT (1ULL << 1)
#define LL_SCOPE_ABSTRACT (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)
#define LL_RULE_PATH 1
#define LL_RULE_PORT 2

#define RO (LL_READ | LL_READ_DIR)
#define RW                                                                   \
	(RO | LL_WRITE | LL_REMOVE_DIR | LL_REMOVE_FILE | LL_MAKE_DIR |      \
	 LL_MAKE_REG | LL_MAKE_SOCK | LL_MAKE_FIFO | LL_MAKE_SYM | LL_REFER | \
	 LL_TRUNCATE)

struct ll_ruleset {
	uint64_t fs, net, scoped;
};

struct ll_path {
	uint64_t allowed;
	int32_t fd;
} __attribute__((packed));

struct ll_port {
	uint64_t allowed;
	uint64_t port;
};

static void
add(struct landlock_plan *p, const char *path, uint64_t access, int optional)
{
	struct ll_rule *r;

	if (p->nrules >= LL_MAX_RULES || strlen(path) >= sizeof(r->path))
		return;
	r = &p->rules[p->nrules++];
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->access = access;
	r->optional = optional;
}

/* The interpreter PATH's first bytes name: "#!" line or ELF PT_INTERP. */
static int
interpreter(const char *path, char *out, size_t n)
{
	unsigned char buf[4096];
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	Elf64_Phdr ph;
	ssize_t len;
	size_t i, k;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	if (fd < 0)
		return -1;
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len > 2 && buf[0] == '#' && buf[1] == '!') {
		buf[len] = '\0';
		for (i = 2; buf[i] == ' ' || buf[i] == '\t'; i++)
			continue;
		for (k = 0; k + 1 < n && buf[i] != '\0' && buf[i] != ' ' &&
		            buf[i] != '\t' && buf[i] != '\n';
		     i++, k++)
			out[k] = (char)buf[i];
		out[k] = '\0';
		rc = out[0] == '/' ? 0 : -1;
	} else if (len >= (ssize_t)sizeof(*eh) &&
	           memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
	           eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	           eh->e_phentsize == sizeof(ph)) {
		for (i = 0; i < eh->e_phnum && i < 256; i++) {
			if (pread(fd, &ph, sizeof(ph),
			          (off_t)(eh->e_phoff + i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph))
				break;
			if (ph.p_type != PT_INTERP || ph.p_filesz == 0 ||
			    ph.p_filesz >= n)
				continue;
			if (pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) ==
			    (ssize_t)ph.p_filesz) {
				out[ph.p_filesz - 1] = '\0';
				rc = out[0] == '/' ? 0 : -1;
			}
			break;
		}
	}
	close(fd);
	return rc;
}

void
landlock_plan_make(struct landlock_plan *p, const struct mcp_spec *s)
{
	static const char *const sys[] = {"/usr",   "/bin",  "/sbin",
	                                  "/lib",   "/lib32", "/lib64",
	                                  "/libx32", NULL};
	uint64_t x = s->subprocess ? LL_X : 0;
	char interp[4096], interp2[4096];
	size_t i;

	memset(p, 0, sizeof(*p));
	p->wanted = !(s->disable & (1U << L_LANDLOCK));
	if (!p->wanted)
		return;
	p->rules = xcalloc(LL_MAX_RULES, sizeof(*p->rules));
	for (i = 0; sys[i] != NULL; i++)
		add(p, sys[i], RO | x, 1);
	if (s->tree != NULL)
		add(p, s->tree, RO | x, 0);
	add(p, "/etc", RO, 1);
	add(p, "/proc", RO, 1);
	add(p, "/dev", RO | LL_WRITE | LL_TRUNCATE | LL_IOCTL_DEV, 1);
	add(p, "/tmp", RW, 1);
	add(p, "/run/secrets", RO, 1);
	add(p, "/", LL_READ_DIR, 0);
	p->rules[p->nrules - 1].root_only = 1;
	for (i = 0; i < s->ngrants; i++)
		add(p, s->grants[i].path, s->grants[i].rw ? RW : RO, 0);
	if (!s->subprocess) {
		/* The entrypoint and what the kernel execs for it. */
		add(p, s->argv[0], LL_X | LL_READ, 1);
		if (interpreter(s->argv[0], interp, sizeof(interp)) == 0) {
			add(p, interp, LL_X | LL_READ, 1);
			if (interpreter(interp, interp2, sizeof(interp2)) == 0)
				add(p, interp2, LL_X | LL_READ, 1);
		}
	}
	p->net_none = s->net == NET_NONE;
	p->net_host = s->net == NET_HOST;
	p->ports = s->ports;
	p->nports = s->nports;
	p->bind_port = s->bind_port;
}

void
landlock_plan_free(struct landlock_plan *p)
{
	free(p->rules);
	p->rules = NULL;
}

static uint64_t
fs_rights(long abi)
{
	uint64_t r = (1ULL << 13) - 1; /* ABI 1: bits 0 to 12 */

	if (abi >= 2)
		r |= LL_REFER;
	if (abi >= 3)
		r |= LL_TRUNCATE;
	if (abi >= 5)
		r |= LL_IOCTL_DEV;
	return r;
}

int
landlock_apply(const struct landlock_plan *p, int private_root, char *status,
               size_t ns, char *why, size_t n)
{
	struct ll_ruleset rs;
	struct ll_path pa;
	struct ll_port po;
	struct stat st;
	size_t i, size;
	long abi;
	int rfd, fd;

	if (!p->wanted) {
		snprintf(status, ns, "skipped: disabled by the spec");
		return 0;
	}
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	              LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		snprintf(status, ns, "skipped: Landlock not available: %s",
		         strerror(errno));
		return 0;
	}
	memset(&rs, 0, sizeof(rs));
	rs.fs = fs_rights(abi);
	size = sizeof(rs.fs);
	if (abi >= 4) {
		if (!p->net_host)
			rs.net = LL_NET_BIND | LL_NET_CONNECT;
		size = offsetof(struct ll_ruleset, scoped);
	}
	if (abi >= 6) {
		rs.scoped = LL_SCOPE_ABSTRACT | LL_SCOPE_SIGNAL;
		size = sizeof(rs);
	}
	rfd = (int)syscall(SYS_landlock_create_ruleset, &rs, size, 0);
	if (rfd < 0) {
		snprintf(why, n, "landlock_create_ruleset: %s",
		         strerror(errno));
		return -1;
	}
	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].root_only && !private_root)
			continue;
		fd = open(p->rules[i].path, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			if (p->rules[i].optional &&
			    (errno == ENOENT || errno == ENOTDIR))
				continue;
			snprintf(why, n, "landlock: %.150s: %s",
			         p->rules[i].path, strerror(errno));
			close(rfd);
			return -1;
		}
		pa.allowed = p->rules[i].access & rs.fs;
		if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
			pa.allowed &= LL_FILE_RIGHTS;
		pa.fd = fd;
		if (pa.allowed != 0 &&
		    syscall(SYS_landlock_add_rule, rfd, LL_RULE_PATH, &pa, 0) <
		        0) {
			snprintf(why, n, "landlock_add_rule %.150s: %s",
			         p->rules[i].path, strerror(errno));
			close(fd);
			close(rfd);
			return -1;
		}
		close(fd);
	}
	for (i = 0; rs.net != 0 && i <= p->nports; i++) {
		if (i < p->nports && !p->net_none) {
			po.allowed = LL_NET_CONNECT;
			po.port = p->ports[i];
		} else if (i == p->nports && p->bind_port != 0) {
			po.allowed = LL_NET_BIND;
			po.port = p->bind_port;
		} else {
			continue;
		}
		if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_PORT, &po, 0) <
		    0) {
			snprintf(why, n, "landlock_add_rule port %u: %s",
			         (unsigned)po.port, strerror(errno));
			close(rfd);
			return -1;
		}
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) < 0) {
		snprintf(why, n, "landlock_restrict_self: %s", strerror(errno));
		close(rfd);
		return -1;
	}
	close(rfd);
	if (abi < 4 && !p->net_host)
		snprintf(status, ns,
		         "degraded: Landlock ABI %ld: TCP not restricted, "
		         "signals and abstract sockets not scoped",
		         abi);
	else if (abi < 6)
		snprintf(status, ns,
		         "degraded: Landlock ABI %ld: signals and abstract "
		         "sockets not scoped",
		         abi);
	else
		snprintf(status, ns, "applied");
	return 0;
}
