/*
 * relay.h: network mode allowlist, the DNS stub and the relays.
 *
 * The run has its own network namespace (loopback only).  Each distinct
 * host name of network.allow gets a loopback address 127.0.0.X (spec.c);
 * the child, still privileged in the new namespace, creates there a UDP
 * socket on 127.0.0.1:53 and a listening TCP socket on 127.0.0.X:PORT per
 * entry (relay_sockets), and hands them to the parent, which serves them
 * from its poll loop on the host's network: the DNS stub answers the
 * allowlisted names only and never asks anyone else; each accepted
 * connection is carried to the real HOST:PORT, resolved on the host.
 * One record per connection and per refused query (mcp-exec(1),
 * "Network").  Transport http (modes none and allowlist): the parent
 * listens on the host's 127.0.0.1:port and carries each connection to
 * 127.0.0.1:port in the run's namespace, through a socket a forked
 * helper creates there (relay_http).
 */
#ifndef MCP_EXEC_RELAY_H
#define MCP_EXEC_RELAY_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "spec.h"

/* The sockets: [0] DNS, then one listener per network.allow entry. */
#define RELAY_MAX_FDS (1 + SPEC_MAX_PORTS)
/* Connections carried at the same time; more are refused. */
#define RELAY_MAX_CONN 64
#define RELAY_BUF 16384
/* Refused DNS queries recorded (a loop must not flood the log). */
#define RELAY_MAX_DNS_RECORDS 64
#define RELAY_CONNECT_MS 10000
/* Poll slots: the sockets, the http transport's listener, then two per
 * connection. */
#define RELAY_NPOLL (RELAY_MAX_FDS + 1 + 2 * RELAY_MAX_CONN)

/* Child, in the new network namespace: create the sockets into FDS.
 * Returns how many, or -1 with WHY. */
int relay_sockets(const struct mcp_spec *s, int *fds, char *why, size_t n);

/* Child: write the private root's /etc/hosts and /etc/resolv.conf
 * (the current directory is the new root). -1 with errno. */
int relay_etc(const struct mcp_spec *s);

struct relay_conn;

struct relay {
	const struct mcp_spec *s;
	int records_fd;
	int fds[RELAY_MAX_FDS];
	size_t nfds;
	unsigned dns_refused; /* queries refused, recorded up to a bound */
	/* transport http: the listener on the host's 127.0.0.1:port, and
	 * the run's network (and user) namespace, where a forked helper
	 * creates the socket for each connection into it */
	int http_fd, netns_fd, userns_fd;
	struct relay_conn *conn[RELAY_MAX_CONN];
};

void relay_init(struct relay *r, const struct mcp_spec *s, int records_fd);

/* Parent: take the sockets the child sent (non-blocking from now). */
void relay_adopt(struct relay *r, const int *fds, size_t n);

/* Parent: transport http, with the run's namespaces NSFDS (net, then user
 * when there is one): listen on the host's 127.0.0.1:PORT.  -1 with WHY. */
int relay_http(struct relay *r, const int *nsfds, size_t n, char *why,
               size_t wn);

/* Is there anything to serve? */
int relay_active(const struct relay *r);

/* Fill PF[0 .. RELAY_NPOLL) (unused slots fd -1); the poll timeout the
 * relay needs (-1: none). */
int relay_poll(struct relay *r, struct pollfd *pf);

/* Handle what poll() reported in PF. */
void relay_events(struct relay *r, const struct pollfd *pf);

/* Close everything, recording the connections still open. */
void relay_close(struct relay *r);

#endif
