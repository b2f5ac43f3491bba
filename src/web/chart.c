/* SPDX-License-Identifier: BSD-2-Clause */
/* The lookup page's chart (chart.h). Geometry in viewBox units: the plot sits between
 * PLOT_LEFT and PLOT_RIGHT, the bars grow up from BASELINE; the SVG scales to the width of
 * the page (a phone gets the same picture, smaller). Colours pass 3:1 against white and
 * against the shading, as WCAG asks of graphics. Every text goes through web_out_html. */
#include "web/chart.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define VIEW_W 720
#define VIEW_H 250
#define PLOT_LEFT 40.0
#define PLOT_RIGHT 710.0
#define PLOT_TOP 14.0
#define BASELINE 180.0

#define COLOUR_REPORTS "#1d4f91"
#define COLOUR_TRAPS "#b54708"
#define COLOUR_LISTED "#f6cfd5"
#define COLOUR_AXIS "#4a4a4a"
#define COLOUR_GRID "#d0d0d0"

int64_t web_chart_end(int64_t now_ms)
{
	int64_t h = now_ms >= 0 ? now_ms / WEB_CHART_HOUR_MS : (now_ms + 1) / WEB_CHART_HOUR_MS - 1;
	return (h + 1) * WEB_CHART_HOUR_MS;
}

size_t web_chart_bucket(const int64_t *times, size_t n, int64_t start_ms, size_t n_hours,
			uint32_t *out)
{
	memset(out, 0, n_hours * sizeof(*out));
	size_t counted = 0;
	int64_t end_ms = start_ms + (int64_t)n_hours * WEB_CHART_HOUR_MS;
	for (size_t i = 0; i < n; i++) {
		if (times[i] < start_ms || times[i] >= end_ms) {
			continue;
		}
		size_t b = (size_t)((times[i] - start_ms) / WEB_CHART_HOUR_MS);
		if (out[b] < UINT32_MAX) {
			out[b]++;
		}
		counted++;
	}
	return counted;
}

/* The smallest of 1, 2, 5, 10, 20, 50 ... at least m (and at least 1). */
static uint32_t nice_max(uint32_t m)
{
	uint64_t step = 1;
	for (;;) {
		static const uint32_t mult[] = { 1, 2, 5 };
		for (size_t i = 0; i < 3; i++) {
			if (step * mult[i] >= m) {
				return (uint32_t)(step * mult[i]);
			}
		}
		step *= 10;
	}
}

static double x_of(int64_t t, int64_t start)
{
	double hw = (PLOT_RIGHT - PLOT_LEFT) / WEB_CHART_HOURS;
	return PLOT_LEFT + (double)(t - start) / (double)WEB_CHART_HOUR_MS * hw;
}

/* "2030-01-01 05:00 UTC" into buf (at least 32 bytes). */
static const char *hour_text(int64_t ms, char *buf)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	if (gmtime_r(&s, &tm) == NULL) {
		snprintf(buf, 32, "?");
		return buf;
	}
	strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

static void put_text(web_out_t *o, const char *s)
{
	web_out_html_str(o, s);
}

static void svg_head(const web_chart_t *c, int64_t start, size_t n_rep, size_t n_trap,
		     uint32_t busiest, web_out_t *o)
{
	char a[32], b[32], line[256];
	web_out_printf(o,
		       "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		       "width=\"100%%\" class=\"chart\" role=\"img\" "
		       "aria-labelledby=\"chart-title chart-desc\">\n<title id=\"chart-title\">",
		       VIEW_W, VIEW_H);
	snprintf(line, sizeof(line), "Spam reports and spamtrap hits per hour, %s to %s",
		 hour_text(start, a), hour_text(c->end_ms, b));
	put_text(o, line);
	web_out_puts(o, "</title>\n<desc id=\"chart-desc\">");
	if (n_rep + n_trap == 0) {
		snprintf(line, sizeof(line),
			 "No spam reports and no spamtrap hits in these %d days.",
			 WEB_CHART_HOURS / 24);
	} else {
		snprintf(line, sizeof(line),
			 "%zu spam report%s and %zu spamtrap hit%s in these %d days, at most %u "
			 "in one hour.",
			 n_rep, n_rep == 1 ? "" : "s", n_trap, n_trap == 1 ? "" : "s",
			 WEB_CHART_HOURS / 24, busiest);
	}
	put_text(o, line);
	size_t shown = 0;
	for (size_t i = 0; i < c->n_periods; i++) {
		int64_t e = c->periods[i].end_ms ? c->periods[i].end_ms : c->end_ms;
		if (e > start && c->periods[i].start_ms < c->end_ms) {
			shown++;
		}
	}
	if (shown > 0) {
		snprintf(line, sizeof(line),
			 " Shaded: %zu listing period%s, listed at those times.", shown,
			 shown == 1 ? "" : "s");
		put_text(o, line);
	}
	web_out_puts(o, "</desc>\n");
}

static void svg_periods(const web_chart_t *c, int64_t start, web_out_t *o)
{
	char a[32], b[32], line[128];
	for (size_t i = 0; i < c->n_periods; i++) {
		const web_chart_period_t *p = &c->periods[i];
		int64_t s = p->start_ms > start ? p->start_ms : start;
		int64_t e = p->end_ms == 0 || p->end_ms > c->end_ms ? c->end_ms : p->end_ms;
		if (e <= s) {
			continue;
		}
		double x0 = x_of(s, start), x1 = x_of(e, start);
		web_out_printf(o,
			       "<rect class=\"listed-period\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
			       "height=\"%.2f\" fill=\"%s\"><title>",
			       x0, PLOT_TOP, x1 - x0 > 0.5 ? x1 - x0 : 0.5, BASELINE - PLOT_TOP,
			       COLOUR_LISTED);
		if (p->end_ms == 0) {
			snprintf(line, sizeof(line), "Listed from %s, still listed",
				 hour_text(p->start_ms, a));
		} else {
			snprintf(line, sizeof(line), "Listed from %s to %s",
				 hour_text(p->start_ms, a), hour_text(p->end_ms, b));
		}
		put_text(o, line);
		web_out_puts(o, "</title></rect>\n");
	}
}

static void svg_axes(int64_t start, int64_t end, uint32_t ymax, web_out_t *o)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	double plot_h = BASELINE - PLOT_TOP;
	/* the value axis: 0, the middle when it is a whole number, the top */
	uint32_t ticks[3] = { 0, ymax / 2, ymax };
	for (size_t i = 0; i < 3; i++) {
		if (i == 1 && (ymax % 2 != 0 || ymax < 2)) {
			continue;
		}
		double y = BASELINE - plot_h * ticks[i] / ymax;
		web_out_printf(
			o,
			"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
			"stroke-width=\"1\"/>\n<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\" "
			"text-anchor=\"end\" fill=\"%s\">%u</text>\n",
			PLOT_LEFT, y, PLOT_RIGHT, y, i == 0 ? COLOUR_AXIS : COLOUR_GRID,
			PLOT_LEFT - 6, y + 4, COLOUR_AXIS, ticks[i]);
	}
	/* the time axis: a tick and the date at each midnight UTC */
	int64_t day = 24 * WEB_CHART_HOUR_MS;
	int64_t first = (start / day + (start % day != 0)) * day;
	for (int64_t t = first; t <= end; t += day) {
		time_t s = (time_t)(t / 1000);
		struct tm tm;
		if (gmtime_r(&s, &tm) == NULL) {
			continue;
		}
		double x = x_of(t, start);
		char label[16];
		snprintf(label, sizeof(label), "%s %d", months[tm.tm_mon % 12], tm.tm_mday);
		web_out_printf(
			o,
			"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
			"stroke-width=\"1\"/>\n<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\" "
			"text-anchor=\"middle\" fill=\"%s\">",
			x, BASELINE, x, BASELINE + 5, COLOUR_AXIS, x, BASELINE + 19, COLOUR_AXIS);
		put_text(o, label);
		web_out_puts(o, "</text>\n");
	}
	web_out_printf(o,
		       "<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\" text-anchor=\"end\" "
		       "fill=\"%s\">",
		       PLOT_RIGHT, BASELINE + 34, COLOUR_AXIS);
	put_text(o, "hours, UTC; each bar is one hour");
	web_out_puts(o, "</text>\n");
}

static void svg_bars(const uint32_t *rep, const uint32_t *trap, int64_t start, uint32_t ymax,
		     web_out_t *o)
{
	double hw = (PLOT_RIGHT - PLOT_LEFT) / WEB_CHART_HOURS;
	double plot_h = BASELINE - PLOT_TOP;
	char when[32], line[96];
	for (size_t i = 0; i < WEB_CHART_HOURS; i++) {
		if (rep[i] == 0 && trap[i] == 0) {
			continue;
		}
		double x = PLOT_LEFT + hw * (double)i;
		double hr = plot_h * rep[i] / ymax;
		double ht = plot_h * trap[i] / ymax;
		snprintf(line, sizeof(line), "%s: %u spam report%s, %u spamtrap hit%s",
			 hour_text(start + (int64_t)i * WEB_CHART_HOUR_MS, when), rep[i],
			 rep[i] == 1 ? "" : "s", trap[i], trap[i] == 1 ? "" : "s");
		web_out_puts(o, "<g class=\"bar\"><title>");
		put_text(o, line);
		web_out_puts(o, "</title>");
		if (rep[i] > 0) {
			web_out_printf(
				o,
				"<rect class=\"reports\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\" fill=\"%s\"/>",
				x, BASELINE - hr, hw, hr, COLOUR_REPORTS);
		}
		if (trap[i] > 0) {
			web_out_printf(o,
				       "<rect class=\"traps\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				       "height=\"%.2f\" fill=\"%s\"/>",
				       x, BASELINE - hr - ht, hw, ht, COLOUR_TRAPS);
		}
		web_out_puts(o, "</g>\n");
	}
}

static void svg_legend(web_out_t *o)
{
	static const struct {
		const char *colour, *label;
	} items[] = {
		{ COLOUR_REPORTS, "spam reports" },
		{ COLOUR_TRAPS, "spamtrap hits" },
		{ COLOUR_LISTED, "listed" },
	};
	double x = PLOT_LEFT;
	for (size_t i = 0; i < 3; i++) {
		web_out_printf(o,
			       "<rect x=\"%.2f\" y=\"%.2f\" width=\"12\" height=\"12\" fill=\"%s\" "
			       "stroke=\"%s\" stroke-width=\"0.5\"/><text x=\"%.2f\" y=\"%.2f\" "
			       "font-size=\"12\" fill=\"%s\">",
			       x, BASELINE + 46, items[i].colour, COLOUR_AXIS, x + 17,
			       BASELINE + 56, COLOUR_AXIS);
		put_text(o, items[i].label);
		web_out_puts(o, "</text>\n");
		x += 130;
	}
}

void web_chart_svg(const web_chart_t *c, web_out_t *o)
{
	int64_t start = c->end_ms - WEB_CHART_HOURS * WEB_CHART_HOUR_MS;
	uint32_t rep[WEB_CHART_HOURS], trap[WEB_CHART_HOURS];
	size_t n_rep = web_chart_bucket(c->reports, c->n_reports, start, WEB_CHART_HOURS, rep);
	size_t n_trap = web_chart_bucket(c->traps, c->n_traps, start, WEB_CHART_HOURS, trap);
	uint32_t busiest = 0;
	for (size_t i = 0; i < WEB_CHART_HOURS; i++) {
		uint64_t sum = (uint64_t)rep[i] + trap[i];
		if (sum > busiest) {
			busiest = sum > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)sum;
		}
	}
	uint32_t ymax = nice_max(busiest);
	svg_head(c, start, n_rep, n_trap, busiest, o);
	svg_periods(c, start, o);
	svg_axes(start, c->end_ms, ymax, o);
	svg_bars(rep, trap, start, ymax, o);
	if (n_rep + n_trap == 0) {
		web_out_printf(
			o,
			"<text x=\"%.2f\" y=\"%.2f\" font-size=\"14\" text-anchor=\"middle\" "
			"fill=\"%s\">",
			(PLOT_LEFT + PLOT_RIGHT) / 2, (PLOT_TOP + BASELINE) / 2, COLOUR_AXIS);
		put_text(o, "No spam reports or spamtrap hits in these 7 days");
		web_out_puts(o, "</text>\n");
	}
	svg_legend(o);
	web_out_puts(o, "</svg>\n");
}
