/*
 * escape MODE [ARG]: try one way out of the sandbox and say what happened.
 *
 * Prints "MODE: blocked: REASON" and exits 0 when the attempt failed,
 * "MODE: ESCAPED: ..." and exits 1 when it worked, exits 3 on a usage
 * error.  Positive modes ("sh", "threads") print "MODE: ok" and exit 0
 * when the thing worked, 1 otherwise.  (77 and 99 are automake's.)
 *   read PATH      open and read a file
 *   write PATH     create a file
 *   connect PORT   TCP connect to 127.0.0.1:PORT
 *   mptcp          socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)
 *   sctp           socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)
 *   raw            socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   packet         socket(AF_PACKET, SOCK_RAW, 0)
 *   netlink        socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)
 *   ptrace         PTRACE_ATTACH to the parent
 *   mount          mount a tmpfs on /tmp
 *   userns         unshare(CLONE_NEWUSER), then setuid(0)
 *   killall        kill(-1, SIGTERM): ESCAPED when it reached anything
 *   environ        read /proc/1/environ
 *   io_uring, bpf, perf, keyctl, userfaultfd   the system call
 *   personality    personality(READ_IMPLIES_EXEC)
 *   x32            an x32 system call (x86-64): the filter kills the
 *                  process (SIGSYS), so any output means it got through
 *   exec PATH      execve PATH in place (no new process)
 *   kill PID       kill(PID, SIGTERM)
 *   sh             fork and exec /bin/sh -c 'exit 7' (ok: it ran)
 *   threads        start and join 4 threads (ok: they ran)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef AF_PACKET
#define AF_PACKET 17
#endif

static const char *mode;

static int
blocked(const char *what)
{
	printf("%s: blocked: %s: %s\n", mode, what, strerror(errno));
	return 0;
}

static int
escaped(const char *what)
{
	printf("%s: ESCAPED: %s\n", mode, what);
	return 1;
}

static int
try_socket(int dom, int type, int proto)
{
	int fd = socket(dom, type, proto);

	if (fd < 0)
		return blocked("socket");
	close(fd);
	return escaped("socket created");
}

static int
try_syscall(long nr, long a, long b, long c, long d, long e)
{
	long rc = syscall(nr, a, b, c, d, e);

	if (rc < 0)
		return blocked("syscall");
	return escaped("the call succeeded");
}

static void *
thread_fn(void *arg)
{
	return arg;
}

int
main(int argc, char **argv)
{
	char buf[256];
	int fd;

	if (argc < 2)
		return 3;
	mode = argv[1];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(mode, "read") == 0 && argc == 3) {
		if ((fd = open(argv[2], O_RDONLY)) < 0)
			return blocked("open");
		if (read(fd, buf, sizeof(buf)) < 0)
			return blocked("read");
		return escaped("read the file");
	}
	if (strcmp(mode, "write") == 0 && argc == 3) {
		if ((fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
			return blocked("open");
		close(fd);
		return escaped("created the file");
	}
	if (strcmp(mode, "connect") == 0 && argc == 3) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		/* NOLINTNEXTLINE(cert-err34-c): the test script's number */
		sin.sin_port = htons((unsigned short)atoi(argv[2]));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return blocked("socket");
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return blocked("connect");
		return escaped("connected");
	}
	if (strcmp(mode, "mptcp") == 0)
		return try_socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	if (strcmp(mode, "sctp") == 0)
		return try_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	if (strcmp(mode, "raw") == 0)
		return try_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (strcmp(mode, "packet") == 0)
		return try_socket(AF_PACKET, SOCK_RAW, 0);
	if (strcmp(mode, "netlink") == 0)
		return try_socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (strcmp(mode, "ptrace") == 0) {
		if (ptrace(PTRACE_ATTACH, getppid(), NULL, NULL) < 0)
			return blocked("ptrace");
		return escaped("attached to the parent");
	}
	if (strcmp(mode, "mount") == 0) {
		if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0)
			return blocked("mount");
		return escaped("mounted");
	}
	if (strcmp(mode, "userns") == 0) {
		if (unshare(CLONE_NEWUSER) < 0)
			return blocked("unshare");
		if (setuid(0) < 0)
			return blocked("setuid");
		return escaped("uid 0 in a new user namespace");
	}
	if (strcmp(mode, "killall") == 0) {
		signal(SIGTERM, SIG_IGN);
		if (kill(-1, SIGTERM) < 0)
			return blocked("kill");
		/* Reached something: the test checks what survived. */
		printf("%s: sent\n", mode);
		return 0;
	}
	if (strcmp(mode, "environ") == 0) {
		if ((fd = open("/proc/1/environ", O_RDONLY)) < 0)
			return blocked("open");
		if (read(fd, buf, sizeof(buf)) <= 0)
			return blocked("read");
		return escaped("read /proc/1/environ");
	}
	if (strcmp(mode, "io_uring") == 0) {
		char params[120];

		memset(params, 0, sizeof(params));
		return try_syscall(SYS_io_uring_setup, 4, (long)params, 0, 0, 0);
	}
	if (strcmp(mode, "bpf") == 0) {
		char attr[128];

		memset(attr, 0, sizeof(attr));
		/* BPF_MAP_CREATE of nothing: EPERM from the filter, EINVAL
		 * from the kernel; either way no map. */
		return try_syscall(SYS_bpf, 0, (long)attr, sizeof(attr), 0, 0);
	}
	if (strcmp(mode, "perf") == 0) {
		char attr[128];

		memset(attr, 0, sizeof(attr));
		attr[4] = (char)sizeof(attr); /* size */
		return try_syscall(SYS_perf_event_open, (long)attr, 0, -1, -1,
		                   0);
	}
	if (strcmp(mode, "keyctl") == 0)
		/* KEYCTL_GET_KEYRING_ID of the session keyring, create it. */
		return try_syscall(SYS_keyctl, 0, -3, 1, 0, 0);
	if (strcmp(mode, "userfaultfd") == 0)
		return try_syscall(SYS_userfaultfd, O_CLOEXEC, 0, 0, 0, 0);
	if (strcmp(mode, "personality") == 0)
		return try_syscall(SYS_personality, 0x0400000, 0, 0, 0, 0);
	if (strcmp(mode, "x32") == 0) {
#ifdef __x86_64__
		syscall(0x40000000L | SYS_getpid);
		return escaped("an x32 call returned");
#else
		printf("x32: not x86-64\n");
		return 0;
#endif
	}
	if (strcmp(mode, "exec") == 0 && argc == 3) {
		execl(argv[2], argv[2], "-c", "echo exec: ESCAPED: ran; exit 1",
		      (char *)NULL);
		return blocked("execve");
	}
	if (strcmp(mode, "kill") == 0 && argc == 3) {
		/* NOLINTNEXTLINE(cert-err34-c): the test script's number */
		if (kill((pid_t)atol(argv[2]), SIGTERM) < 0)
			return blocked("kill");
		return escaped("signalled it");
	}
	if (strcmp(mode, "sh") == 0) {
		int st;
		pid_t p = fork();

		if (p < 0) {
			printf("sh: fork: %s\n", strerror(errno));
			return 1;
		}
		if (p == 0) {
			execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
			_exit(127);
		}
		if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 7) {
			printf("sh: did not run\n");
			return 1;
		}
		printf("sh: ok\n");
		return 0;
	}
	if (strcmp(mode, "threads") == 0) {
		pthread_t t[4];
		int i, err;

		for (i = 0; i < 4; i++)
			if ((err = pthread_create(&t[i], NULL, thread_fn,
			                          NULL)) != 0) {
				printf("threads: %s\n", strerror(err));
				return 1;
			}
		for (i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		printf("threads: ok\n");
		return 0;
	}
	return 3;
}
