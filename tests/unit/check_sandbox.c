/*
 * check_sandbox.c: the shared system call rules and rlimits.  The rules
 * are evaluated here as a kernel filter would (every comparison of a rule
 * must hold), so that the personality() encoding is proven to let exactly
 * 0 and 0xffffffff through, and the table is held to its own contract:
 * never two comparisons of one argument in a rule.
 */
#include <mcp-config.h>

#include <errno.h>
#include <stdint.h>

#include "sandbox.h"
#include "unit.h"

struct walk {
	const char *name; /* the call to evaluate, or NULL: count only */
	uint64_t args[6];
	int err;     /* the first matching rule's errno, or 0 */
	int n;       /* rules seen */
	int repeats; /* rules with two comparisons of one argument */
};

static int
holds(const struct mcp_sandbox_arg *a, uint64_t v)
{
	switch (a->op) {
	case MCP_SANDBOX_NE:
		return v != a->a;
	case MCP_SANDBOX_LT:
		return v < a->a;
	case MCP_SANDBOX_LE:
		return v <= a->a;
	case MCP_SANDBOX_EQ:
		return v == a->a;
	case MCP_SANDBOX_GE:
		return v >= a->a;
	case MCP_SANDBOX_GT:
		return v > a->a;
	case MCP_SANDBOX_MASKED_EQ:
		return (v & a->a) == a->b;
	}
	return 0;
}

static int
visit(const struct mcp_sandbox_rule *r, void *arg)
{
	struct walk *w = arg;
	unsigned i, j;
	int match = 1;

	w->n++;
	for (i = 0; i < r->nargs; i++)
		for (j = i + 1; j < r->nargs; j++)
			if (r->args[i].index == r->args[j].index)
				w->repeats++;
	if (w->name == NULL || strcmp(w->name, r->name) != 0 || w->err != 0)
		return 0;
	for (i = 0; i < r->nargs; i++)
		if (!holds(&r->args[i], w->args[r->args[i].index]))
			match = 0;
	if (match)
		w->err = r->err;
	return 0;
}

static int
eval(int subprocess, const char *name, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct walk w = {name, {a0, a1, a2, 0, 0, 0}, 0, 0, 0};

	ck_assert_int_eq(mcp_sandbox_rules(subprocess, visit, &w), 0);
	return w.err;
}

START_TEST(test_personality)
{
	static const uint64_t pass[] = {0, 0xffffffffULL};
	static const uint64_t refuse[] = {
	    1,
	    8,
	    0x0400000,
	    0x7fffffff,
	    0x80000000ULL,
	    0xfffffffeULL,
	    0x100000000ULL,
	    0xffffffffffffffffULL,
	    0x1ffffffffULL,
	};
	size_t i;
	uint64_t v;

	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		ck_assert_int_eq(eval(0, "personality", pass[i], 0, 0), 0);
	for (i = 0; i < sizeof(refuse) / sizeof(refuse[0]); i++)
		ck_assert_int_eq(eval(0, "personality", refuse[i], 0, 0),
		                 EPERM);
	/* Every single bit and every value but one bit. */
	for (i = 0; i < 32; i++) {
		v = 1ULL << i;
		ck_assert_int_eq(eval(0, "personality", v, 0, 0), EPERM);
		ck_assert_int_eq(
		    eval(0, "personality", 0xffffffffULL ^ v, 0, 0), EPERM);
	}
}
END_TEST

START_TEST(test_rules)
{
	struct walk w = {NULL, {0}, 0, 0, 0};

	ck_assert_int_eq(mcp_sandbox_rules(0, visit, &w), 0);
	ck_assert_int_gt(w.n, 100);
	ck_assert_int_eq(w.repeats, 0);
	ck_assert_int_eq(eval(0, "ptrace", 0, 0, 0), EPERM);
	ck_assert_int_eq(eval(0, "clone3", 0, 0, 0), ENOSYS);
	ck_assert_int_eq(eval(0, "fork", 0, 0, 0), EPERM);
	ck_assert_int_eq(eval(1, "fork", 0, 0, 0), 0);
	/* clone: threads pass, namespaces never. */
	ck_assert_int_eq(eval(0, "clone", 0x10000 /* CLONE_THREAD */, 0, 0), 0);
	ck_assert_int_eq(
	    eval(1, "clone", 0x20000000 /* NEWUSER... */ | 0x10000000, 0, 0),
	    EPERM);
	/* Sockets: AF_INET TCP passes; AF_PACKET, raw ICMP, SCTP do not. */
	ck_assert_int_eq(eval(0, "socket", 2, 1, 6), 0);
	ck_assert_int_eq(eval(0, "socket", 10, 2, 17), 0);
	ck_assert_int_eq(eval(0, "socket", 17, 3, 0), EAFNOSUPPORT);
	ck_assert_int_eq(eval(0, "socket", 2, 3, 1), EPERM);
	ck_assert_int_eq(eval(0, "socket", 2, 1, 132), EPROTONOSUPPORT);
	ck_assert_int_eq(eval(0, "socket", 16, 3, 0), 0);
	ck_assert_int_eq(eval(0, "socket", 16, 3, 9), EAFNOSUPPORT);
	ck_assert_str_eq(mcp_sandbox_op_name(MCP_SANDBOX_MASKED_EQ),
	                 "SCMP_CMP_MASKED_EQ");
}
END_TEST

START_TEST(test_rlimits)
{
	struct mcp_sandbox_rlimits r;

	mcp_sandbox_rlimits(1500, 256ULL << 20, 128, 60500, &r);
	ck_assert_uint_eq(r.nofile, 128);
	ck_assert_uint_eq(r.cpu_soft, 61 * 2);
	ck_assert_uint_eq(r.cpu_hard, 61 * 2 + 5);
	ck_assert_uint_eq(r.data, 512ULL << 20);
	ck_assert_uint_eq(r.fsize, 1ULL << 30);
	ck_assert_uint_eq(r.core, 0);
	mcp_sandbox_rlimits(1, 1ULL << 20, 1, 1, &r);
	ck_assert_uint_eq(r.data, MCP_SANDBOX_DATA_MIN);
	ck_assert_uint_eq(mcp_sandbox_cpu_quota(1), 1000);
	ck_assert_uint_eq(mcp_sandbox_cpu_quota(500), 50000);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_add_test(tc, test_personality);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_rlimits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
