/*
 * check_units.c: sizes and durations, including every way a value can be
 * out of range or misspelt.
 */
#include <mcp-config.h>

#include "units.h"
#include "unit.h"

static const struct {
	const char *s;
	uint64_t v;
} sizes[] = {
    {"1", 1},
    {"1000", 1000},
    {"1K", 1024},
    {"1Ki", 1024},
    {"512M", 536870912ULL},
    {"512Mi", 536870912ULL},
    {"2G", 2147483648ULL},
    {"2Gi", 2147483648ULL},
    {"17179869183G", 17179869183ULL << 30},
    {"18446744073709551615", UINT64_MAX},
};

static const char *const bad_sizes[] = {
    "",
    "0",
    "0M",
    "-1",
    "+1",
    " 1M",
    "1M ",
    "1 M",
    "1.5G",
    "1m",
    "1k",
    "1g",
    "1KB",
    "1MiB",
    "1T",
    "1Gi2",
    "G",
    "Mi",
    "1e3",
    "0x10",
    "18446744073709551616",
    "17179869184G",
    "99999999999999999999G",
    "99999999999999999999",
    "1ii",
    "1iM",
};

static const struct {
	const char *s;
	uint64_t ms;
} durs[] = {
    {"1ms", 1},         {"250ms", 250},        {"45s", 45000},
    {"5m", 300000},     {"8h", 28800000},      {"24h", 86400000},
    {"1h30m", 5400000}, {"1h30m15s", 5415000}, {"1h30m15s5ms", 5415005},
    {"1h5ms", 3600005}, {"90m", 5400000},      {"1m0s", 60000},
    {"0h1s", 1000},
};

static const char *const bad_durs[] = {
    "",
    "0s",
    "0h0m",
    "5",
    "1.5h",
    "-5m",
    "+5m",
    "5 m",
    " 5m",
    "5m ",
    "5M",
    "5H",
    "5S",
    "5d",
    "1w",
    "30m1h",
    "1s1m",
    "5m5m",
    "1ms1s",
    "m",
    "h5",
    "1hm",
    "1h30",
    "5mss",
    "5sm",
    "99999999999999999999h",
    "5124095576030432h",
    "18446744073709551616ms",
    "18446744073709551615ms1ms",
    "1h18446744073709551615ms",
};

START_TEST(test_size_good)
{
	uint64_t v = 0;

	ck_assert_msg(mcp_size_parse(sizes[_i].s, &v) == 0, "%s", sizes[_i].s);
	ck_assert_uint_eq(v, sizes[_i].v);
}
END_TEST

START_TEST(test_size_bad)
{
	uint64_t v = 42;

	ck_assert_msg(mcp_size_parse(bad_sizes[_i], &v) == -1, "accepted %s",
	              bad_sizes[_i]);
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_dur_good)
{
	uint64_t v = 0;

	ck_assert_msg(mcp_duration_parse(durs[_i].s, &v) == 0, "%s",
	              durs[_i].s);
	ck_assert_uint_eq(v, durs[_i].ms);
}
END_TEST

START_TEST(test_dur_bad)
{
	uint64_t v = 42;

	ck_assert_msg(mcp_duration_parse(bad_durs[_i], &v) == -1, "accepted %s",
	              bad_durs[_i]);
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_format)
{
	static const uint64_t ms[] = {
	    1, 999, 1000, 60000, 5400000, 28800000, 3600005, 5415005, 86400000};
	char buf[64];
	uint64_t v;
	size_t i;

	ck_assert_str_eq(mcp_size_format(536870912ULL, buf, sizeof(buf)),
	                 "512M");
	ck_assert_str_eq(mcp_size_format(1ULL << 30, buf, sizeof(buf)), "1G");
	ck_assert_str_eq(mcp_size_format(2048, buf, sizeof(buf)), "2K");
	ck_assert_str_eq(mcp_size_format(1000, buf, sizeof(buf)), "1000");
	ck_assert_str_eq(mcp_size_format(0, buf, sizeof(buf)), "0");
	ck_assert_str_eq(mcp_duration_format(28800000, buf, sizeof(buf)), "8h");
	ck_assert_str_eq(mcp_duration_format(5400000, buf, sizeof(buf)),
	                 "1h30m");
	ck_assert_str_eq(mcp_duration_format(250, buf, sizeof(buf)), "250ms");
	ck_assert_str_eq(mcp_duration_format(0, buf, sizeof(buf)), "0s");
	/* What format writes, parse reads back. */
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		mcp_duration_format(ms[i], buf, sizeof(buf));
		ck_assert_int_eq(mcp_duration_parse(buf, &v), 0);
		ck_assert_uint_eq(v, ms[i]);
	}
	mcp_size_format(UINT64_MAX, buf, sizeof(buf));
	ck_assert_int_eq(mcp_size_parse(buf, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");

	tcase_add_loop_test(tc, test_size_good, 0,
	                    sizeof(sizes) / sizeof(sizes[0]));
	tcase_add_loop_test(tc, test_size_bad, 0,
	                    sizeof(bad_sizes) / sizeof(bad_sizes[0]));
	tcase_add_loop_test(tc, test_dur_good, 0,
	                    sizeof(durs) / sizeof(durs[0]));
	tcase_add_loop_test(tc, test_dur_bad, 0,
	                    sizeof(bad_durs) / sizeof(bad_durs[0]));
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
