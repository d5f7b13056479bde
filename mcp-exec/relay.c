/*
 * relay.c: network mode allowlist, the DNS stub and the relays.
 *
 * Child side (relay_sockets, relay_etc): runs in the run's new network
 * namespace before privileges are dropped.  Parent side: single-threaded,
 * driven by supervise.c's poll loop; every socket is non-blocking, every
 * buffer bounded.
 *
 * The stub decides on the name before anything else: a query is parsed
 * strictly (one question, plain labels of letters, digits, '-' and '_',
 * no compression, at most 255 bytes) and compared with the allowlist's
 * names; an allowlisted name gets its 127.0.0.X for A (and nothing for
 * other types), every other name NXDOMAIN.  It never forwards a query:
 * the host's resolver sees only the allowlisted names, and only when a
 * connection to them is made (getaddrinfo in relay_accept).
 */
#include <mcp-config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "records.h"
#include "relay.h"
#include "xalloc.h"

struct relay_conn {
	int in, out;           /* the server's side, the destination's */
	size_t entry;          /* network.allow index */
	int inbound;           /* transport http: from the host's loopback */
	int connecting;
	struct addrinfo *ai, *cur;
	struct timespec t0;
	unsigned char buf[2][RELAY_BUF]; /* 0: server to destination */
	size_t len[2], off[2];
	int eof[2], shut[2];
	uint64_t bytes[2];
	char addr[INET6_ADDRSTRLEN + 8];
	char err[128];
};

/* Entry I repeats an earlier one (same host, same port): no socket. */
static int
dup_entry(const struct mcp_spec *s, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (s->host_octet[j] == s->host_octet[i] &&
		    s->ports[j] == s->ports[i])
			return 1;
	return 0;
}

static int
bound_socket(int type, unsigned char octet, unsigned short port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(0x7f000000U | octet);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
relay_sockets(const struct mcp_spec *s, int *fds, char *why, size_t n)
{
	size_t i, k = 0;

	if ((fds[k++] = bound_socket(SOCK_DGRAM, 1, 53)) < 0) {
		snprintf(why, n, "DNS stub on 127.0.0.1:53: %s",
		         strerror(errno));
		return -1;
	}
	for (i = 0; i < s->nports; i++) {
		if (dup_entry(s, i))
			continue;
		fds[k] = bound_socket(SOCK_STREAM, s->host_octet[i],
		                      s->ports[i]);
		if (fds[k] < 0) {
			snprintf(why, n, "relay for %.100s:%u on 127.0.0.%u: %s",
			         s->hosts[i], (unsigned)s->ports[i],
			         (unsigned)s->host_octet[i], strerror(errno));
			while (k > 0)
				close(fds[--k]);
			return -1;
		}
		k++;
	}
	return (int)k;
}

static int
put(int fd, const char *text)
{
	return mcp_write_all(fd, text, strlen(text));
}

int
relay_etc(const struct mcp_spec *s)
{
	char line[SPEC_MAX_HOST + 32];
	size_t i, j;
	int fd, rc = 0, local = 0;

	fd = open("/etc/hosts", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	/* An allowlisted "localhost" is the host's, through the relay. */
	for (i = 0; i < s->nports; i++)
		local |= strcmp(s->hosts[i], "localhost") == 0;
	if (!local)
		rc |= put(fd, "127.0.0.1\tlocalhost\n");
	for (i = 0; i < s->nports; i++) {
		for (j = 0; j < i && strcmp(s->hosts[j], s->hosts[i]) != 0;
		     j++)
			continue;
		if (j < i)
			continue;
		snprintf(line, sizeof(line), "127.0.0.%u\t%s\n",
		         (unsigned)s->host_octet[i], s->hosts[i]);
		rc |= put(fd, line);
	}
	if (close(fd) < 0 || rc < 0)
		return -1;
	fd = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	          0644);
	if (fd < 0)
		return -1;
	rc = put(fd, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
	if (close(fd) < 0 || rc < 0)
		return -1;
	return 0;
}

void
relay_init(struct relay *r, const struct mcp_spec *s, int records_fd)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->records_fd = records_fd;
	r->http_fd = r->netns_fd = r->userns_fd = -1;
}

int
relay_active(const struct relay *r)
{
	return r->nfds > 0 || r->http_fd >= 0;
}

int
relay_http(struct relay *r, const int *nsfds, size_t n, char *why, size_t wn)
{
	struct sockaddr_in sa;
	int one = 1;

	if (n < 1 || n > 2) {
		snprintf(why, wn, "transport: the run's namespaces were not "
		                  "received");
		return -1;
	}
	r->netns_fd = nsfds[0];
	r->userns_fd = n == 2 ? nsfds[1] : -1;
	r->http_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	                    0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(r->s->bind_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (r->http_fd < 0 ||
	    setsockopt(r->http_fd, SOL_SOCKET, SO_REUSEADDR, &one,
	               sizeof(one)) < 0 ||
	    bind(r->http_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(r->http_fd, 64) < 0) {
		snprintf(why, wn, "transport: listen on 127.0.0.1:%u: %s",
		         (unsigned)r->s->bind_port, strerror(errno));
		if (r->http_fd >= 0)
			close(r->http_fd);
		r->http_fd = -1;
		return -1;
	}
	return 0;
}

/* A TCP socket in the run's network namespace: made by a forked helper
 * that joins it (and its user namespace: a rootless mcp-exec has no
 * other way in), sent back over a socket pair.  -1 on failure. */
static int
ns_socket(struct relay *r)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char c = 0;
	struct iovec iov = {&c, 1};
	struct msghdr mh;
	struct cmsghdr *cm;
	int sp[2], fd = -1, st;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	if ((pid = fork()) == 0) {
		close(sp[0]);
		if ((r->userns_fd >= 0 && setns(r->userns_fd, CLONE_NEWUSER) < 0) ||
		    setns(r->netns_fd, CLONE_NEWNET) < 0 ||
		    (fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			_exit(1);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		_exit(sendmsg(sp[1], &mh, MSG_NOSIGNAL) < 0 ? 1 : 0);
	}
	close(sp[1]);
	if (pid > 0) {
		if (recvmsg(sp[0], &mh, MSG_CMSG_CLOEXEC) == 1 &&
		    (cm = CMSG_FIRSTHDR(&mh)) != NULL &&
		    cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			continue;
	}
	close(sp[0]);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

void
relay_adopt(struct relay *r, const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n && r->nfds < RELAY_MAX_FDS; i++) {
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
		r->fds[r->nfds++] = fds[i];
	}
	for (; i < n; i++)
		close(fds[i]);
}

/* The network.allow entry of listener K (1-based in fds). */
static size_t
entry_of(const struct relay *r, size_t k)
{
	size_t i, seen = 0;

	for (i = 0; i < r->s->nports; i++) {
		if (dup_entry(r->s, i))
			continue;
		if (++seen == k)
			return i;
	}
	return 0;
}

static void
write_rec(struct relay *r, json_t *rec)
{
	struct mcp_err e;

	mcp_err_init(&e);
	(void)records_write(r->records_fd, rec, &e);
	json_decref(rec);
}

static long long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
conn_record(struct relay *r, size_t entry, const char *outcome,
            const struct relay_conn *c, const char *err)
{
	json_t *rec = records_new(r->s, "connection");

	if (entry == SIZE_MAX || (c != NULL && c->inbound)) {
		json_object_set_new(rec, "direction", json_string("inbound"));
		json_object_set_new(rec, "host", json_string("127.0.0.1"));
		json_object_set_new(rec, "port", json_integer(r->s->bind_port));
	} else {
		json_object_set_new(rec, "direction", json_string("outbound"));
		json_object_set_new(rec, "host",
		                    json_string(r->s->hosts[entry]));
		json_object_set_new(rec, "port",
		                    json_integer(r->s->ports[entry]));
	}
	json_object_set_new(rec, "outcome", json_string(outcome));
	/* Out of the run, into it: the server's side is "in", except for
	 * an inbound connection, where it is the one connected to. */
	json_object_set_new(
	    rec, "bytes_out",
	    json_integer(c ? (json_int_t)c->bytes[c->inbound ? 1 : 0] : 0));
	json_object_set_new(
	    rec, "bytes_in",
	    json_integer(c ? (json_int_t)c->bytes[c->inbound ? 0 : 1] : 0));
	if (c != NULL && c->addr[0] != '\0')
		json_object_set_new(rec, "address", json_string(c->addr));
	if (c != NULL)
		json_object_set_new(rec, "duration_ms",
		                    json_integer(ms_since(&c->t0)));
	if (err != NULL && err[0] != '\0')
		json_object_set_new(rec, "error", json_string(err));
	write_rec(r, rec);
}

static void
conn_end(struct relay *r, size_t slot, const char *outcome)
{
	struct relay_conn *c = r->conn[slot];

	conn_record(r, c->inbound ? SIZE_MAX : c->entry, outcome, c, c->err);
	close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->ai != NULL)
		freeaddrinfo(c->ai);
	free(c);
	r->conn[slot] = NULL;
}

static void
conn_fail(struct relay *r, size_t slot, const char *what, int err)
{
	struct relay_conn *c = r->conn[slot];

	if (c->err[0] == '\0')
		snprintf(c->err, sizeof(c->err), "%s: %s", what,
		         strerror(err));
	conn_end(r, slot, c->connecting || c->out < 0 ? "failed" : "allowed");
}

/* Connect to the next address of the destination.  0, or -1 (ended). */
static int
conn_try(struct relay *r, size_t slot)
{
	struct relay_conn *c = r->conn[slot];
	int err = ECONNREFUSED;

	for (; c->cur != NULL; c->cur = c->cur->ai_next) {
		if (c->out >= 0)
			close(c->out);
		c->out = socket(c->cur->ai_family,
		                SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->out < 0) {
			err = errno;
			continue;
		}
		if (getnameinfo(c->cur->ai_addr, c->cur->ai_addrlen, c->addr,
		                sizeof(c->addr), NULL, 0, NI_NUMERICHOST) != 0)
			c->addr[0] = '\0';
		if (connect(c->out, c->cur->ai_addr, c->cur->ai_addrlen) == 0) {
			c->connecting = 0;
			return 0;
		}
		if (errno == EINPROGRESS) {
			c->connecting = 1;
			return 0;
		}
		err = errno;
	}
	c->connecting = 1;
	conn_fail(r, slot, "connect", err);
	return -1;
}

static void
relay_accept(struct relay *r, size_t k)
{
	struct addrinfo hints;
	struct relay_conn *c;
	char port[8];
	size_t slot, entry = entry_of(r, k);
	int fd, rc;

	fd = accept4(r->fds[k], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (slot = 0; slot < RELAY_MAX_CONN && r->conn[slot] != NULL; slot++)
		continue;
	if (slot == RELAY_MAX_CONN) {
		close(fd);
		conn_record(r, entry, "refused", NULL,
		            "too many connections at once");
		return;
	}
	c = xcalloc(1, sizeof(*c));
	r->conn[slot] = c;
	c->in = fd;
	c->out = -1;
	c->entry = entry;
	c->connecting = 1;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	/* Only an allowlisted name ever reaches the host's resolver.  The
	 * look-up blocks the loop, bounded by the resolver's own timeout. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", (unsigned)r->s->ports[entry]);
	rc = getaddrinfo(r->s->hosts[entry], port, &hints, &c->ai);
	if (rc != 0) {
		c->ai = NULL;
		snprintf(c->err, sizeof(c->err), "resolve: %s",
		         gai_strerror(rc));
		conn_end(r, slot, "failed");
		return;
	}
	c->cur = c->ai;
	(void)conn_try(r, slot);
}

/* transport http: a connection from the host's loopback, carried to
 * 127.0.0.1:port in the run's network namespace. */
static void
http_accept(struct relay *r)
{
	struct sockaddr_in sa;
	struct relay_conn *c;
	size_t slot;
	int fd;

	fd = accept4(r->http_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (slot = 0; slot < RELAY_MAX_CONN && r->conn[slot] != NULL; slot++)
		continue;
	if (slot == RELAY_MAX_CONN) {
		close(fd);
		conn_record(r, SIZE_MAX, "refused", NULL,
		            "too many connections at once");
		return;
	}
	c = xcalloc(1, sizeof(*c));
	r->conn[slot] = c;
	c->in = fd;
	c->inbound = 1;
	c->connecting = 1;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	snprintf(c->addr, sizeof(c->addr), "127.0.0.1");
	if ((c->out = ns_socket(r)) < 0) {
		conn_fail(r, slot, "socket in the run's network namespace",
		          errno ? errno : EIO);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(r->s->bind_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->out, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		c->connecting = 0;
	else if (errno != EINPROGRESS)
		conn_fail(r, slot, "connect", errno);
}

/* The connection in SLOT can make progress: move what can be moved. */
static void
conn_pump(struct relay *r, size_t slot)
{
	struct relay_conn *c = r->conn[slot];
	socklen_t len = sizeof(int);
	ssize_t n;
	int d, src, dst, err = 0;

	if (c->connecting) {
		if (getsockopt(c->out, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == EINPROGRESS || err == EALREADY)
			return;
		if (err != 0) {
			if (c->cur != NULL)
				c->cur = c->cur->ai_next;
			if (c->cur == NULL) {
				conn_fail(r, slot, "connect", err);
				return;
			}
			(void)conn_try(r, slot);
			return;
		}
		c->connecting = 0;
	}
	for (d = 0; d < 2; d++) {
		src = d == 0 ? c->in : c->out;
		dst = d == 0 ? c->out : c->in;
		if (c->len[d] == 0 && !c->eof[d]) {
			n = read(src, c->buf[d], RELAY_BUF);
			if (n > 0) {
				c->len[d] = (size_t)n;
				c->off[d] = 0;
			} else if (n == 0) {
				c->eof[d] = 1;
			} else if (errno != EAGAIN && errno != EINTR) {
				conn_fail(r, slot, "read", errno);
				return;
			}
		}
		if (c->off[d] < c->len[d]) {
			n = send(dst, c->buf[d] + c->off[d],
			         c->len[d] - c->off[d], MSG_NOSIGNAL);
			if (n > 0) {
				c->off[d] += (size_t)n;
				c->bytes[d] += (uint64_t)n;
				if (c->off[d] == c->len[d])
					c->len[d] = c->off[d] = 0;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				conn_fail(r, slot, "write", errno);
				return;
			}
		}
		/* Half-close: the end of one direction is passed on. */
		if (c->eof[d] && c->len[d] == 0 && !c->shut[d]) {
			shutdown(dst, SHUT_WR);
			c->shut[d] = 1;
		}
	}
	if (c->shut[0] && c->shut[1])
		conn_end(r, slot, "allowed");
}

static void
name_escape(char *out, size_t n, const unsigned char *p, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < n; i++) {
		if ((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '-' ||
		    p[i] == '_' || p[i] == '.')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", p[i]);
	}
	out[o] = '\0';
}

/* One query on the stub's socket: answered from the allowlist only. */
static void
dns_query(struct relay *r)
{
	unsigned char q[512], a[512 + 16], name[256];
	char esc[256 * 4 + 1];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	size_t off = 12, nl = 0, qend, i, alen;
	unsigned qtype = 0, qclass = 0, lab, j;
	unsigned char octet = 0;
	int rcode = 0, plain = 1;
	ssize_t got;
	json_t *rec;

	got = recvfrom(r->fds[0], q, sizeof(q), MSG_DONTWAIT | MSG_TRUNC,
	               (struct sockaddr *)&from, &fl);
	/* Too short, too long (over the classic 512 bytes) or a response:
	 * dropped unanswered. */
	if (got < 12 || got > (ssize_t)sizeof(q) || (q[2] & 0x80))
		return;
	if (((q[2] >> 3) & 0xf) != 0 || q[4] != 0 || q[5] != 1) {
		rcode = 4; /* NOTIMP: one standard query only */
		qend = 12;
		goto answer;
	}
	for (;;) {
		if (off >= (size_t)got) {
			rcode = 1;
			break;
		}
		lab = q[off++];
		if (lab == 0)
			break;
		/* No compression in a question; labels of 1 to 63. */
		if (lab > 63 || off + lab > (size_t)got ||
		    nl + lab + 1 > sizeof(name) - 1) {
			rcode = 1;
			break;
		}
		if (nl > 0)
			name[nl++] = '.';
		for (j = 0; j < lab; j++) {
			unsigned char ch = q[off + j];

			if (ch >= 'A' && ch <= 'Z')
				ch = (unsigned char)(ch - 'A' + 'a');
			if (!((ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') || ch == '-' ||
			      ch == '_'))
				plain = 0;
			name[nl++] = ch;
		}
		off += lab;
	}
	if (rcode == 0 && off + 4 > (size_t)got)
		rcode = 1;
	if (rcode != 0) {
		qend = 12;
		goto answer;
	}
	qtype = (unsigned)q[off] << 8 | q[off + 1];
	qclass = (unsigned)q[off + 2] << 8 | q[off + 3];
	qend = off + 4;
	name[nl] = '\0';
	for (i = 0; plain && i < r->s->nports; i++)
		if (strcmp((const char *)name, r->s->hosts[i]) == 0) {
			octet = r->s->host_octet[i];
			break;
		}
	if (octet == 0) {
		rcode = 3; /* NXDOMAIN */
		if (r->dns_refused++ < RELAY_MAX_DNS_RECORDS) {
			name_escape(esc, sizeof(esc), name, nl);
			rec = records_new(r->s, "dns");
			json_object_set_new(rec, "name", json_string(esc));
			json_object_set_new(rec, "type", json_integer(qtype));
			json_object_set_new(rec, "outcome",
			                    json_string("refused"));
			write_rec(r, rec);
		}
	}
answer:
	memcpy(a, q, qend);
	a[2] = (unsigned char)(0x80 | 0x04 | (q[2] & 0x01)); /* QR AA RD */
	a[3] = (unsigned char)rcode;
	a[4] = 0;
	a[5] = qend > 12 ? 1 : 0;
	memset(a + 6, 0, 6);
	alen = qend;
	if (octet != 0 && qclass == 1 && (qtype == 1 || qtype == 255)) {
		static const unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1,
		                                   0,    0,    0, 60, 0, 4,
		                                   127,  0,    0};
		memcpy(a + alen, rr, sizeof(rr));
		alen += sizeof(rr);
		a[alen++] = octet;
		a[7] = 1;
	}
	(void)sendto(r->fds[0], a, alen, MSG_DONTWAIT | MSG_NOSIGNAL,
	             (struct sockaddr *)&from, fl);
}

static short
conn_events(const struct relay_conn *c, int out)
{
	short ev = 0;

	if (out && c->connecting)
		return POLLOUT;
	if (c->len[out] == 0 && !c->eof[out])
		ev |= POLLIN;
	if (c->len[!out] > c->off[!out])
		ev |= POLLOUT;
	return ev;
}

int
relay_poll(struct relay *r, struct pollfd *pf)
{
	struct relay_conn *c;
	long long left, t = -1;
	size_t i;

	for (i = 0; i < RELAY_MAX_FDS; i++)
		pf[i] = (struct pollfd){i < r->nfds ? r->fds[i] : -1, POLLIN,
		                        0};
	pf[RELAY_MAX_FDS] = (struct pollfd){r->http_fd, POLLIN, 0};
	for (i = 0; i < RELAY_MAX_CONN; i++) {
		struct pollfd *p = pf + RELAY_MAX_FDS + 1 + 2 * i;

		p[0] = p[1] = (struct pollfd){-1, 0, 0};
		if ((c = r->conn[i]) != NULL && c->connecting &&
		    RELAY_CONNECT_MS - ms_since(&c->t0) <= 0) {
			snprintf(c->err, sizeof(c->err), "connect: timed out");
			conn_end(r, i, "failed");
		}
		if ((c = r->conn[i]) == NULL)
			continue;
		if (c->connecting) {
			left = RELAY_CONNECT_MS - ms_since(&c->t0);
			if (t < 0 || left < t)
				t = left < 1 ? 1 : left;
		}
		if ((p[0].events = conn_events(c, 0)) != 0)
			p[0].fd = c->in;
		if ((p[1].events = conn_events(c, 1)) != 0)
			p[1].fd = c->out;
	}
	return (int)t;
}

void
relay_events(struct relay *r, const struct pollfd *pf)
{
	size_t i;

	if (r->nfds > 0 && pf[0].revents)
		dns_query(r);
	for (i = 1; i < r->nfds; i++)
		if (pf[i].revents)
			relay_accept(r, i);
	if (r->http_fd >= 0 && pf[RELAY_MAX_FDS].revents)
		http_accept(r);
	for (i = 0; i < RELAY_MAX_CONN; i++) {
		const struct pollfd *p = pf + RELAY_MAX_FDS + 1 + 2 * i;

		if (r->conn[i] != NULL && (p[0].revents || p[1].revents))
			conn_pump(r, i);
	}
}

void
relay_close(struct relay *r)
{
	size_t i;

	for (i = 0; i < RELAY_MAX_CONN; i++)
		if (r->conn[i] != NULL) {
			if (r->conn[i]->connecting)
				snprintf(r->conn[i]->err,
				         sizeof(r->conn[i]->err),
				         "the run ended");
			conn_end(r, i,
			         r->conn[i]->connecting ? "failed" : "allowed");
		}
	for (i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	r->nfds = 0;
	if (r->http_fd >= 0)
		close(r->http_fd);
	if (r->netns_fd >= 0)
		close(r->netns_fd);
	if (r->userns_fd >= 0)
		close(r->userns_fd);
	r->http_fd = r->netns_fd = r->userns_fd = -1;
}
