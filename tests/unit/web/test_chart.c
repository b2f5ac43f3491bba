/* SPDX-License-Identifier: BSD-2-Clause */
/* The lookup page's chart: events land in the right hour at the boundaries, the right edge
 * is the end of the current hour, an empty week still draws a labelled chart, listing
 * periods are shaded only where they overlap the week (clipped at its edges, open ones to
 * the right edge), and the bars' heights follow the counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/chart.h"

#define HOUR WEB_CHART_HOUR_MS
#define T0 1893456000000LL /* 2030-01-01T00:00:00Z, on an hour boundary */

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle)) {
		n++;
	}
	return n;
}

static char *svg(const web_chart_t *c)
{
	web_out_t o;
	web_out_init(&o, 0);
	web_chart_svg(c, &o);
	assert_false(o.failed);
	size_t n = 0;
	char *p = web_out_take(&o, &n);
	assert_non_null(p);
	assert_true(strncmp(p, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	assert_non_null(strstr(p, "</svg>\n"));
	assert_non_null(strstr(p, "role=\"img\""));
	assert_non_null(strstr(p, "aria-labelledby=\"chart-title chart-desc\""));
	/* the XML special characters only ever appear as markup or entities */
	assert_null(strstr(p, "& "));
	return p;
}

static void test_chart_end(void **state)
{
	(void)state;
	assert_int_equal(web_chart_end(T0), T0 + HOUR);
	assert_int_equal(web_chart_end(T0 + 1), T0 + HOUR);
	assert_int_equal(web_chart_end(T0 + HOUR - 1), T0 + HOUR);
	assert_int_equal(web_chart_end(T0 + HOUR), T0 + 2 * HOUR);
}

static void test_bucket_boundaries(void **state)
{
	(void)state;
	int64_t start = T0;
	int64_t times[] = {
		start - 1,		/* before: not counted */
		start,			/* the first instant of hour 0 */
		start + HOUR - 1,	/* the last of hour 0 */
		start + HOUR,		/* hour 1 */
		start + 5 * HOUR + 7,	/* hour 5 */
		start + 5 * HOUR + 8,	/* hour 5 */
		start + 3 * HOUR - 1,	/* hour 2 (any order) */
		start + 4 * HOUR - 1,	/* hour 3 */
		start + 168 * HOUR - 1, /* the last hour */
		start + 168 * HOUR,	/* the end is outside */
	};
	uint32_t out[168];
	size_t n = web_chart_bucket(times, sizeof(times) / sizeof(times[0]), start, 168, out);
	assert_int_equal(n, 8);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 1);
	assert_int_equal(out[2], 1);
	assert_int_equal(out[3], 1);
	assert_int_equal(out[4], 0);
	assert_int_equal(out[5], 2);
	assert_int_equal(out[167], 1);
	uint32_t sum = 0;
	for (size_t i = 0; i < 168; i++) {
		sum += out[i];
	}
	assert_int_equal(sum, 8);
	/* nothing at all */
	n = web_chart_bucket(NULL, 0, start, 168, out);
	assert_int_equal(n, 0);
	assert_int_equal(out[0], 0);
}

static void test_empty(void **state)
{
	(void)state;
	web_chart_t c = { .end_ms = T0 };
	char *p = svg(&c);
	assert_non_null(strstr(p, "No spam reports and no spamtrap hits in these 7 days."));
	assert_non_null(strstr(p, "No spam reports or spamtrap hits in these 7 days</text>"));
	assert_int_equal(count(p, "class=\"bar\""), 0);
	assert_int_equal(count(p, "class=\"listed-period\""), 0);
	/* the axes still carry labels: a value axis from 0 to 1 and seven day marks */
	assert_non_null(strstr(p, ">0</text>"));
	assert_non_null(strstr(p, ">1</text>"));
	assert_non_null(strstr(p, ">Dec 25</text>"));
	assert_non_null(strstr(p, ">Jan 1</text>"));
	assert_non_null(strstr(p, "<title id=\"chart-title\">Spam reports and spamtrap hits per "
				  "hour, 2029-12-25 00:00 UTC to 2030-01-01 00:00 UTC</title>"));
	free(p);
}

static void test_bars(void **state)
{
	(void)state;
	int64_t end = T0 + HOUR;			/* the week is [T0 - 167 h, T0 + 1 h) */
	int64_t reps[] = { T0, T0 + 10, T0 - HOUR };	/* 2 in the last hour, 1 the hour before */
	int64_t traps[] = { T0 + 20, T0 - 200 * HOUR }; /* the second is outside */
	web_chart_t c = {
		.end_ms = end, .reports = reps, .n_reports = 3, .traps = traps, .n_traps = 1 + 1
	};
	char *p = svg(&c);
	assert_int_equal(count(p, "class=\"bar\""), 2);
	assert_int_equal(count(p, "class=\"reports\""), 2);
	assert_int_equal(count(p, "class=\"traps\""), 1);
	assert_non_null(strstr(p, "3 spam reports and 1 spamtrap hit in these 7 days, at most 3 "
				  "in one hour."));
	assert_non_null(strstr(p, "<title>2030-01-01 00:00 UTC: 2 spam reports, 1 spamtrap "
				  "hit</title>"));
	assert_non_null(strstr(p, "<title>2029-12-31 23:00 UTC: 1 spam report, 0 spamtrap "
				  "hits</title>"));
	/* the axis goes to 5 (1, 2, 5 ...): the busiest hour (3) is 3/5 of the plot height
	 * (166), stacked: reports 2/5 from the baseline (180), the trap hit 1/5 above them */
	assert_non_null(strstr(p, ">5</text>"));
	assert_non_null(strstr(p, "class=\"reports\" x=\"706.01\" y=\"113.60\" width=\"3.99\" "
				  "height=\"66.40\""));
	assert_non_null(strstr(p, "class=\"traps\" x=\"706.01\" y=\"80.40\" width=\"3.99\" "
				  "height=\"33.20\""));
	free(p);
}

static void test_shading(void **state)
{
	(void)state;
	int64_t end = T0;
	int64_t start = end - 168 * HOUR;
	web_chart_period_t per[] = {
		{ start - 10 * HOUR, start - HOUR },	  /* entirely before the week: not drawn */
		{ start - 5 * HOUR, start + 2 * HOUR },	  /* clipped at the left edge */
		{ start + 24 * HOUR, start + 48 * HOUR }, /* inside */
		{ end - HOUR, 0 },			  /* open: to the right edge */
	};
	web_chart_t c = { .end_ms = end, .periods = per, .n_periods = 4 };
	char *p = svg(&c);
	assert_int_equal(count(p, "class=\"listed-period\""), 3);
	/* the plot runs from x 40 to 710: 670 / 168 units an hour */
	assert_non_null(
		strstr(p, "class=\"listed-period\" x=\"40.00\" y=\"14.00\" width=\"7.98\""));
	assert_non_null(
		strstr(p, "class=\"listed-period\" x=\"135.71\" y=\"14.00\" width=\"95.71\""));
	assert_non_null(
		strstr(p, "class=\"listed-period\" x=\"706.01\" y=\"14.00\" width=\"3.99\""));
	assert_non_null(strstr(p, "still listed</title>"));
	assert_non_null(strstr(p, "Shaded: 3 listing periods"));
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart_end), cmocka_unit_test(test_bucket_boundaries),
		cmocka_unit_test(test_empty),	  cmocka_unit_test(test_bars),
		cmocka_unit_test(test_shading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
