/* SPDX-License-Identifier: BSD-2-Clause */
/* The lookup page's chart: spam reports and spamtrap hits per hour over the past week as
 * stacked bars, with the listing periods shaded behind them, drawn as inline SVG on the
 * server (no script, no external asset). Pure: numbers in, SVG text out; the SVG is
 * well-formed XML with a title and a description for screen readers. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "web/render.h"

#define WEB_CHART_HOURS 168 /* 7 days */
#define WEB_CHART_HOUR_MS (3600LL * 1000)

typedef struct {
	int64_t start_ms;
	int64_t end_ms; /* 0: still listed (shaded to the chart's right edge) */
} web_chart_period_t;

typedef struct {
	int64_t end_ms;		/* the right edge, on an hour boundary (web_chart_end) */
	const int64_t *reports; /* times of reports, any order */
	size_t n_reports;
	const int64_t *traps; /* times of trap hits, any order */
	size_t n_traps;
	const web_chart_period_t *periods;
	size_t n_periods;
} web_chart_t;

/* The right edge for a chart drawn at now: the end of the hour now is in, so the current
 * hour is the last bar. */
int64_t web_chart_end(int64_t now_ms);

/* Count times into n_hours hourly buckets from start_ms: bucket i holds the times in
 * [start + i h, start + (i + 1) h). Times outside are not counted; returns how many were. */
size_t web_chart_bucket(const int64_t *times, size_t n, int64_t start_ms, size_t n_hours,
			uint32_t *out);

/* The <svg> element of the chart (WEB_CHART_HOURS hours ending at c->end_ms). */
void web_chart_svg(const web_chart_t *c, web_out_t *o);
