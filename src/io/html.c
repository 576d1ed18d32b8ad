/*
 * html.c - the analysis report as one self-contained page (see html.h).
 *
 * Strings reach the page only through esc(); fprintf() formats numbers and
 * this file's own literals. The SVG is drawn in a viewBox and scales with
 * the window.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "html.h"

/* The timeline's geometry, in viewBox units. */
#define TL_W		1000	/* width */
#define TL_X0		230	/* left edge of the plot (labels before) */
#define TL_X1		(TL_W - 20)	/* right edge */
#define TL_AXIS		34	/* height of the time axis */
#define TL_ROW		38	/* height of a row */
#define TL_BAR		14	/* longest bar, each side of the midline */
#define MINI_H		84	/* height of a card's own timeline */
#define MINI_MID	36	/* its midline */
#define MINI_BAR	24	/* its longest bar */

static const char *const css =
"*{box-sizing:border-box}"
"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
"'Noto Sans','DejaVu Sans',sans-serif;color:#1d2430;background:#f3f5f8}"
"main{max-width:1100px;margin:0 auto;padding:24px 20px 40px}"
"h1{font-size:26px;margin:0 0 2px}"
"h2{font-size:19px;margin:30px 0 10px}"
".sub{color:#5a6473;margin:0 0 18px;overflow-wrap:anywhere}"
".say{font-size:16px;margin:0 0 14px}"
".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));"
"gap:10px;margin:0 0 6px}"
".tile{background:#fff;border-radius:8px;padding:10px 14px;"
"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
".tile b{display:block;font-size:26px;line-height:1.2}"
".tile span{color:#5a6473;font-size:13px}"
".tile.bad b{color:#b42318}.tile.good b{color:#1f7a3a}"
".panel{background:#fff;border-radius:8px;padding:12px 14px;"
"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
".legend{font-size:13px;color:#5a6473;margin:6px 0 0}"
".legend i{display:inline-block;width:12px;height:12px;vertical-align:-1px;"
"margin:0 4px 0 12px;border-radius:2px}"
"svg{display:block;width:100%;height:auto}"
"svg text{font-family:inherit}"
".card{background:#fff;border-radius:8px;margin:0 0 16px;"
"box-shadow:0 1px 2px rgba(0,0,0,.08);border-left:6px solid #8a94a3;"
"padding:12px 16px 14px}"
".card.scanner{border-left-color:#c0392b}"
".card.policy{border-left-color:#d68910}"
".card.benign{border-left-color:#2e8b57}"
".card h3{margin:0 0 6px;font-size:18px;display:flex;flex-wrap:wrap;"
"gap:8px;align-items:center}"
".addr{font-family:ui-monospace,'DejaVu Sans Mono',monospace}"
".badge{font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;"
"background:#e6e9ee;color:#333;text-transform:uppercase;letter-spacing:.03em}"
".badge.scanner{background:#fbe2df;color:#a1261b}"
".badge.policy{background:#fdf0d5;color:#8a5a00}"
".badge.benign{background:#dff3e6;color:#1f6b3a}"
".badge.ban{background:#2b2f36;color:#fff}"
".card .say{font-size:15px;background:#f7f8fa;border-radius:6px;"
"padding:8px 10px}"
"dl{display:grid;grid-template-columns:190px 1fr;gap:6px 14px;margin:10px 0 0}"
"dt{color:#5a6473;font-weight:600}"
"dd{margin:0;overflow-wrap:anywhere}"
"dd ul{margin:0;padding-left:18px}"
"code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
"background:#f0f2f5;padding:1px 5px;border-radius:4px;font-size:13px}"
".chip{display:inline-block;font-family:ui-monospace,'DejaVu Sans Mono',"
"monospace;font-size:13px;background:#eef1f5;border-radius:4px;"
"padding:0 6px;margin:0 4px 4px 0}"
".found .chip{background:#fde3b0;font-weight:600}"
".muted{color:#5a6473}"
"footer{color:#5a6473;font-size:13px;margin-top:30px}"
"@media (max-width:640px){dl{grid-template-columns:1fr}}";

/* Writes s with every character that means something to HTML escaped;
 * control bytes become '?'. */
static void
esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
			break;
		}
	}
}

/* A time as people read it on the page. */
static void
fmt_clock(uint64_t ns, char *buf, size_t len)
{
	report_fmt_time(ns, true, buf, len);
}

/* A duration in the unit that suits it: "350 ms", "2.5 s", "3 min". */
static void
fmt_dur(uint64_t ns, char *buf, size_t len)
{
	double s = (double)ns / 1e9;

	if (ns < 1000000ULL)
		snprintf(buf, len, "%.0f \xc2\xb5s", (double)ns / 1e3);
	else if (s < 1)
		snprintf(buf, len, "%.0f ms", s * 1e3);
	else if (s < 120)
		snprintf(buf, len, "%.3g s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.3g min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.3g h", s / 3600);
	else
		snprintf(buf, len, "%.4g days", s / 86400);
}

static const char *
class_name(enum engine_class c)
{
	return c == ENGINE_SCANNER ? "scanner" : c == ENGINE_POLICY ?
	    "policy" : "benign";
}

static const char *
ordinal(uint64_t n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ?
	    "rd" : "th";
}

static void
page_head(FILE *out, const char *files)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>ghostguard report: ", out);
	esc(out, files);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n",
	    css);
}

static void
tile(FILE *out, const char *id, uint64_t n, const char *what,
    const char *tone)
{
	fprintf(out, "<div class=\"tile %s\" id=\"%s\"><b>%llu</b>"
	    "<span>%s</span></div>\n", tone, id, (unsigned long long)n, what);
}

static void
summary(FILE *out, const struct report_summary *sum, const char *files)
{
	char say[512], t1[40], t2[40];
	size_t att = sum->k[ENGINE_SCANNER] + sum->k[ENGINE_POLICY];

	fputs("<h1>ghostguard report</h1>\n<p class=\"sub\">", out);
	esc(out, files);
	if (sum->tot.payloads) {
		fmt_clock(sum->tot.first_ns, t1, sizeof(t1));
		fmt_clock(sum->tot.last_ns, t2, sizeof(t2));
		fprintf(out, " &middot; %s to %s", t1, t2);
	}
	fputs("</p>\n<section id=\"summary\">\n<p class=\"say\">", out);
	report_summary_sentence(sum, say, sizeof(say));
	esc(out, say);
	fputs("</p>\n<div class=\"tiles\">\n", out);
	tile(out, "n-scanners", sum->k[ENGINE_SCANNER], "scanners",
	    sum->k[ENGINE_SCANNER] ? "bad" : "good");
	tile(out, "n-policy", sum->k[ENGINE_POLICY], "policy offenders",
	    sum->k[ENGINE_POLICY] ? "bad" : "good");
	tile(out, "n-benign", sum->k[ENGINE_BENIGN], "ordinary sources", "");
	tile(out, "n-dropped", sum->tot.dropped, "packets ghostguard would "
	    "drop", att ? "good" : "");
	tile(out, "n-banned", sum->banned, "sources it would ban",
	    att ? "good" : "");
	tile(out, "n-sip", sum->tot.sip, "SIP messages", "");
	fputs("</div>\n</section>\n", out);
}

/* A step for axis ticks in round units of time, giving at most about 8
 * ticks over span. */
static uint64_t
tick_step(uint64_t span)
{
	static const uint64_t us = 1000, ms = 1000 * us, sec = 1000 * ms,
	    min = 60 * sec, hour = 60 * min, day = 24 * hour;
	static const uint64_t steps[] = {
		1 * us, 2 * us, 5 * us, 10 * us, 20 * us, 50 * us, 100 * us,
		200 * us, 500 * us, 1 * ms, 2 * ms, 5 * ms, 10 * ms, 20 * ms,
		50 * ms, 100 * ms, 200 * ms, 500 * ms, 1 * sec, 2 * sec,
		5 * sec, 10 * sec, 15 * sec, 30 * sec, 1 * min, 2 * min,
		5 * min, 10 * min, 15 * min, 30 * min, 1 * hour, 2 * hour,
		3 * hour, 6 * hour, 12 * hour, 1 * day, 2 * day, 7 * day,
		14 * day, 28 * day, 91 * day, 182 * day, 365 * day
	};
	size_t i;

	for (i = 0; i < GG_NELEM(steps); i++)
		if (span / steps[i] <= 8)
			return steps[i];
	return span / 8 + 1;
}

/* The counts of t's buckets, re-binned onto n columns covering
 * [t0, t0 + n * col). */
static void
rebin(const struct report_timeline *t, uint64_t t0, uint64_t col,
    uint64_t *pass, uint64_t *drop, unsigned n)
{
	unsigned i;
	uint64_t mid, k;

	memset(pass, 0, n * sizeof(*pass));
	memset(drop, 0, n * sizeof(*drop));
	if (t->width_ns == 0)
		return;
	for (i = 0; i < REPORT_BUCKETS; i++) {
		if (t->pass[i] == 0 && t->drop[i] == 0)
			continue;
		mid = t->origin_ns + i * t->width_ns + t->width_ns / 2;
		k = mid > t0 ? (mid - t0) / col : 0;
		if (k >= n)
			k = n - 1;
		pass[k] += t->pass[i];
		drop[k] += t->drop[i];
	}
}

static double
bar_len(uint64_t c, double lmax)
{
	double h;

	if (c == 0)
		return 0;
	h = TL_BAR * log1p((double)c) / lmax;
	return h < 1.5 ? 1.5 : h;
}

/* One row of bars around the midline y, columns of width cw from x0. */
static void
bars(FILE *out, const uint64_t *pass, const uint64_t *drop, unsigned n,
    double x0, double cw, double y, double lmax)
{
	unsigned i;
	double h;

	for (i = 0; i < n; i++) {
		if ((h = bar_len(pass[i], lmax)) > 0)
			fprintf(out, "<rect class=\"pass\" x=\"%.1f\" "
			    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"#4f86c6\">"
			    "<title>%llu passed</title></rect>\n",
			    x0 + i * cw, y - h, cw > 2 ? cw - 0.6 : cw, h,
			    (unsigned long long)pass[i]);
		if ((h = bar_len(drop[i], lmax)) > 0)
			fprintf(out, "<rect class=\"drop\" x=\"%.1f\" "
			    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"#d0392b\">"
			    "<title>%llu dropped</title></rect>\n",
			    x0 + i * cw, y, cw > 2 ? cw - 0.6 : cw, h,
			    (unsigned long long)drop[i]);
	}
}

/* The ban: a dark line across the row and a label. */
static void
ban_mark(FILE *out, double x, double ytop, double h, uint64_t at)
{
	fprintf(out, "<g class=\"ban\"><line x1=\"%.1f\" y1=\"%.1f\" "
	    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#111\" stroke-width=\"2\"/>"
	    "<path d=\"M%.1f %.1fl-5 -7h10z\" fill=\"#111\"/>"
	    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"700\" "
	    "fill=\"#111\" stroke=\"#fff\" stroke-width=\"3\" "
	    "paint-order=\"stroke\">banned (packet %llu)</text></g>\n",
	    x, ytop + 2, x, ytop + h - 2, x, ytop + 9, x + 5, ytop + 11,
	    (unsigned long long)at);
}

/* The largest count over the rows' columns, as log1p, at least log1p(1). */
static double
rows_lmax(const uint64_t *pass, const uint64_t *drop, size_t n)
{
	uint64_t m = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pass[i] > m)
			m = pass[i];
		if (drop[i] > m)
			m = drop[i];
	}
	return log1p((double)m);
}

/* Ticks and their offsets from the start, along the top. */
static void
axis(FILE *out, uint64_t span, double x0, double x1, double y,
    double ybottom)
{
	uint64_t step = tick_step(span), t;
	char d[32];
	double x;

	for (t = 0; t <= span; t += step) {
		x = x0 + (x1 - x0) * ((double)t / (double)span);
		fmt_dur(t, d, sizeof(d));
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#dde2e8\"/>\n<text x=\"%.1f\" "
		    "y=\"%.1f\" font-size=\"11\" fill=\"#5a6473\" "
		    "text-anchor=\"middle\">%s%s</text>\n", x, y + 4, x,
		    ybottom, x, y, t ? "+" : "", t ? d : "0");
		if (t > UINT64_MAX - step)
			break;
	}
}

/* One row: background, label, midline, bars, ban mark. */
static void
timeline_row(FILE *out, const struct report_source *s, size_t i,
    const uint64_t *pass, const uint64_t *drop, double lmax, uint64_t t0,
    uint64_t span)
{
	double y = TL_AXIS + (double)i * TL_ROW, x;
	double cw = (double)(TL_X1 - TL_X0) / REPORT_BUCKETS;

	fputs("<g class=\"row\" data-addr=\"", out);
	esc(out, s ? s->addr : "all");
	fprintf(out, "\">\n<rect x=\"0\" y=\"%.1f\" width=\"%d\" "
	    "height=\"%d\" fill=\"%s\"/>\n", y, TL_W, TL_ROW,
	    s == NULL ? "#e9edf2" : i % 2 ? "#f6f8fa" : "#ffffff");
	fprintf(out, "<text x=\"6\" y=\"%.1f\" font-size=\"13\" "
	    "font-weight=\"600\" fill=\"%s\">", y + 16, s == NULL ?
	    "#1d2430" : s->class == ENGINE_SCANNER ? "#a1261b" :
	    s->class == ENGINE_POLICY ? "#8a5a00" : "#1f6b3a");
	if (s == NULL) {
		fputs("All traffic</text>\n<text x=\"6\" y=\"", out);
		fprintf(out, "%.1f\" font-size=\"11\" fill=\"#5a6473\">"
		    "every source</text>\n", y + 31);
	} else {
		esc(out, s->addr);
		fprintf(out, "</text>\n<text x=\"6\" y=\"%.1f\" "
		    "font-size=\"11\" fill=\"#5a6473\">%s", y + 31,
		    class_name(s->class));
		if (s->tool) {
			fputs(" &middot; ", out);
			esc(out, s->tool);
		}
		fprintf(out, " &middot; %llu/%llu dropped</text>\n",
		    (unsigned long long)s->dropped,
		    (unsigned long long)(s->packets + s->answers));
	}
	fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
	    "stroke=\"#c5ccd5\"/>\n", TL_X0, y + TL_ROW / 2.0, TL_X1,
	    y + TL_ROW / 2.0);
	bars(out, pass, drop, REPORT_BUCKETS, TL_X0, cw, y + TL_ROW / 2.0,
	    lmax);
	if (s && s->banned_ns) {
		x = TL_X0 + (TL_X1 - TL_X0) * ((double)(s->banned_ns -
		    (s->banned_ns > t0 ? t0 : s->banned_ns)) / (double)span);
		ban_mark(out, x, y, TL_ROW, s->banned_at);
	}
	fputs("</g>\n", out);
}

/*
 * The timeline: all traffic, then a row per source (the first HTML_ROWS),
 * on one time axis. Each source's buckets are re-binned onto the axis'
 * columns; the scale is shared by the source rows, so that rows compare.
 */
static int
timeline(FILE *out, const struct report_source *v, size_t n,
    const struct report_summary *sum)
{
	uint64_t *pass, *drop, t0 = sum->tot.first_ns, span, col;
	size_t rows = n < HTML_ROWS ? n : HTML_ROWS, i;
	double lmax;
	char t[40];

	if (rows == 0)
		return 0;
	span = sum->tot.last_ns > t0 ? sum->tot.last_ns - t0 : 0;
	col = span / REPORT_BUCKETS + 1;
	span = col * REPORT_BUCKETS;
	pass = calloc((rows + 1) * REPORT_BUCKETS, sizeof(*pass));
	drop = calloc((rows + 1) * REPORT_BUCKETS, sizeof(*drop));
	if (pass == NULL || drop == NULL) {
		free(pass);
		free(drop);
		return -1;
	}
	rebin(sum->all, t0, col, pass, drop, REPORT_BUCKETS);
	for (i = 0; i < rows; i++)
		rebin(v[i].timeline, t0, col, pass + (i + 1) * REPORT_BUCKETS,
		    drop + (i + 1) * REPORT_BUCKETS, REPORT_BUCKETS);
	fmt_clock(t0, t, sizeof(t));
	fprintf(out, "<h2>Timeline</h2>\n<div class=\"panel\">\n"
	    "<svg id=\"timeline\" viewBox=\"0 0 %d %zu\" role=\"img\" "
	    "aria-label=\"packets per source over time\">\n", TL_W,
	    (size_t)TL_AXIS + (rows + 1) * TL_ROW + 4);
	axis(out, span, TL_X0, TL_X1, 14, TL_AXIS + (rows + 1) * TL_ROW);
	fprintf(out, "<text x=\"4\" y=\"14\" font-size=\"11\" "
	    "fill=\"#5a6473\">from %s</text>\n", t);
	timeline_row(out, NULL, 0, pass, drop, rows_lmax(pass, drop,
	    REPORT_BUCKETS), t0, span);
	lmax = rows_lmax(pass + REPORT_BUCKETS, drop + REPORT_BUCKETS,
	    rows * REPORT_BUCKETS);
	for (i = 0; i < rows; i++)
		timeline_row(out, &v[i], i + 1, pass + (i + 1) * REPORT_BUCKETS,
		    drop + (i + 1) * REPORT_BUCKETS, lmax, t0, span);
	fputs("</svg>\n<p class=\"legend\">The first row is all traffic; "
	    "then one row per source, attackers first. A bar grows with the "
	    "number of packets to and from the source (log scale)."
	    "<i style=\"background:#4f86c6\"></i>passed (above the line)"
	    "<i style=\"background:#d0392b\"></i>dropped by ghostguard (below "
	    "the line)<i style=\"background:#111\"></i>the moment it would be "
	    "banned", out);
	if (sum->sources > rows)
		fprintf(out, "; %zu further %s not drawn", sum->sources - rows,
		    sum->sources - rows == 1 ? "source is" : "sources are");
	fputs(".</p>\n</div>\n", out);
	free(pass);
	free(drop);
	return 0;
}

/* A card's own timeline, over the source's active time. */
static void
mini_timeline(FILE *out, const struct report_source *s)
{
	const struct report_timeline *t = s->timeline;
	uint64_t pass[REPORT_BUCKETS], drop[REPORT_BUCKETS], span, col;
	double cw, lmax, x0 = 60, x1 = TL_W - 20, mid = MINI_MID;
	char d[32];

	if (t->width_ns == 0)
		return;
	span = s->last_ns > t->origin_ns ? s->last_ns - t->origin_ns : 0;
	col = span / REPORT_BUCKETS + 1;
	span = col * REPORT_BUCKETS;
	rebin(t, t->origin_ns, col, pass, drop, REPORT_BUCKETS);
	/* Bars as long as MINI_BAR for the busiest column. */
	lmax = rows_lmax(pass, drop, REPORT_BUCKETS) * TL_BAR / MINI_BAR;
	cw = (x1 - x0) / REPORT_BUCKETS;
	fmt_dur(s->last_ns - t->origin_ns, d, sizeof(d));
	fprintf(out, "<svg class=\"mini\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"its packets over %s\">\n<rect x=\"0\" y=\"0\" "
	    "width=\"%d\" height=\"%d\" fill=\"#f6f8fa\" rx=\"6\"/>\n"
	    "<text x=\"6\" y=\"%.0f\" font-size=\"11\" fill=\"#5a6473\">"
	    "passed</text><text x=\"6\" y=\"%.0f\" font-size=\"11\" "
	    "fill=\"#5a6473\">dropped</text>\n<line x1=\"%.0f\" y1=\"%.0f\" "
	    "x2=\"%.0f\" y2=\"%.0f\" stroke=\"#c5ccd5\"/>\n"
	    "<text x=\"%.0f\" y=\"%d\" font-size=\"11\" fill=\"#5a6473\">"
	    "its first packet</text><text x=\"%.0f\" y=\"%d\" "
	    "font-size=\"11\" fill=\"#5a6473\" text-anchor=\"end\">"
	    "+%s: its last</text>\n", TL_W, MINI_H, d, TL_W, MINI_H,
	    mid - 4, mid + 13, x0, mid, x1, mid, x0, MINI_H - 5, x1,
	    MINI_H - 5, d);
	bars(out, pass, drop, REPORT_BUCKETS, x0, cw, mid, lmax);
	if (s->banned_ns)
		ban_mark(out, x0 + (x1 - x0) * ((double)(s->banned_ns -
		    (s->banned_ns > t->origin_ns ? t->origin_ns :
		    s->banned_ns)) / (double)span), 0, MINI_H - 16,
		    s->banned_at);
	fputs("</svg>\n", out);
}

/* A list as chips: "<dt>what (total)</dt><dd>...</dd>". */
static void
chips(FILE *out, const char *what, const char *cls,
    const struct report_list *l)
{
	unsigned i;

	if (l->total == 0)
		return;
	fprintf(out, "<dt>%s (%s%llu)</dt><dd class=\"%s\">", what,
	    l->estimated ? "about " : "", (unsigned long long)l->total, cls);
	for (i = 0; i < l->n; i++) {
		fputs("<span class=\"chip\">", out);
		esc(out, l->v[i]);
		fputs("</span>", out);
	}
	if (l->total > l->n)
		fprintf(out, "<span class=\"muted\">and %s%llu more</span>",
		    l->estimated ? "about " : "",
		    (unsigned long long)(l->total - l->n));
	fputs("</dd>\n", out);
}

static void
card_evidence(FILE *out, const struct report_source *s)
{
	unsigned i;

	if (s->nsigs == 0)
		return;
	fprintf(out, "<dt>%s</dt><dd><ul>", s->class == ENGINE_SCANNER ?
	    "Evidence" : "Resembles");
	for (i = 0; i < s->nsigs; i++) {
		fputs("<li>", out);
		esc(out, s->sigs[i]->evidence);
		fputs(" <span class=\"muted\">(signature <code>", out);
		esc(out, s->sigs[i]->name);
		fprintf(out, "</code>, confidence %u)</span></li>",
		    s->sigs[i]->confidence);
	}
	fputs("</ul></dd>\n", out);
}

static void
card_techniques(FILE *out, const struct report_source *s)
{
	unsigned i;

	if ((s->techniques & ~(uint32_t)ENGINE_T_POLICY) == 0)
		return;
	fputs("<dt>What it did</dt><dd><ul>", out);
	for (i = 0; i < ENGINE_T_COUNT; i++) {
		enum engine_tech t = (enum engine_tech)(1u << i);

		if (!(s->techniques & t) || t == ENGINE_T_POLICY)
			continue;
		fprintf(out, "<li class=\"tech\"><code>%s</code> ",
		    engine_tech_name(t));
		esc(out, report_tech_explain(t));
		fputs("</li>", out);
	}
	fputs("</ul></dd>\n", out);
}

static void
card_counts(FILE *out, const struct report_source *s)
{
	char t1[40], t2[40];

	if (s->auth || s->passwords.total) {
		fprintf(out, "<dt>Passwords tried</dt><dd><b class=\"pw\">%llu"
		    "</b>", (unsigned long long)s->auth);
		if (s->passwords.n) {
			unsigned i;

			fputs(" &middot; read from its tags: ", out);
			for (i = 0; i < s->passwords.n; i++) {
				fputs("<span class=\"chip\">", out);
				esc(out, s->passwords.v[i]);
				fputs("</span>", out);
			}
		}
		fputs("</dd>\n", out);
	}
	if (s->policy)
		fprintf(out, "<dt>Policy</dt><dd>%llu %s refused: "
		    "<code>%s</code></dd>\n", (unsigned long long)s->policy,
		    s->policy == 1 ? "request" : "requests",
		    policy_rule_name(s->last_policy));
	/* The drops per direction, as the text report's counts line. */
	fprintf(out, "<dt>Packets</dt><dd><b class=\"packets\">%llu</b> sent "
	    "(<b class=\"dropped\">%llu</b> would be dropped), %llu %s to "
	    "it (%llu would be dropped)", (unsigned long long)s->packets,
	    (unsigned long long)s->dropped_sent,
	    (unsigned long long)s->answers, s->answers == 1 ? "answer" :
	    "answers", (unsigned long long)(s->dropped - s->dropped_sent));
	if (s->malformed)
		fprintf(out, "; %llu malformed",
		    (unsigned long long)s->malformed);
	fputs("</dd>\n<dt>Detected, banned</dt><dd>", out);
	if (s->detected_at)
		fprintf(out, "detected at its %llu%s packet",
		    (unsigned long long)s->detected_at,
		    ordinal(s->detected_at));
	else
		fputs("not detected", out);
	if (s->banned_at)
		fprintf(out, "; <b class=\"banned\">banned at its %llu%s "
		    "packet</b>", (unsigned long long)s->banned_at,
		    ordinal(s->banned_at));
	else
		fputs("; not banned", out);
	fmt_clock(s->first_ns, t1, sizeof(t1));
	fmt_clock(s->last_ns, t2, sizeof(t2));
	fprintf(out, "</dd>\n<dt>First and last seen</dt><dd>%s &ndash; %s"
	    "</dd>\n", t1, t2);
}

static void
card(FILE *out, const struct report_source *s, size_t idx)
{
	char say[1024];

	fprintf(out, "<section class=\"card %s\" id=\"src-%zu\" "
	    "data-addr=\"", class_name(s->class), idx);
	esc(out, s->addr);
	fprintf(out, "\" data-class=\"%s\" data-packets=\"%llu\" "
	    "data-dropped=\"%llu\" data-banned-at=\"%llu\">\n<h3>"
	    "<span class=\"addr\">", class_name(s->class),
	    (unsigned long long)s->packets, (unsigned long long)s->dropped,
	    (unsigned long long)s->banned_at);
	esc(out, s->addr);
	fprintf(out, "</span><span class=\"badge %s\">%s</span>",
	    class_name(s->class), class_name(s->class));
	if (s->trusted)
		fputs("<span class=\"badge\">trusted server</span>", out);
	if (s->tool) {
		fputs("<span class=\"tool\">", out);
		esc(out, s->tool);
		fputs("</span>", out);
	}
	if (s->banned_at)
		fputs("<span class=\"badge ban\">banned</span>", out);
	fputs("</h3>\n<p class=\"say\">", out);
	report_sentence(s, say, sizeof(say));
	esc(out, say);
	fputs("</p>\n", out);
	mini_timeline(out, s);
	fputs("<dl>\n", out);
	fprintf(out, "<dt>Tool</dt><dd class=\"tool\">");
	if (s->tool)
		esc(out, s->tool);
	else
		fputs("<span class=\"muted\">not named</span>", out);
	fputs("</dd>\n", out);
	card_evidence(out, s);
	if (s->ua[0]) {
		fputs("<dt>User-Agent</dt><dd><code class=\"ua\">", out);
		esc(out, s->ua);
		fputs("</code></dd>\n", out);
	}
	card_techniques(out, s);
	chips(out, "Extensions tried", "users", &s->users);
	chips(out, "Hosts tried", "hosts", &s->hosts);
	chips(out, "Found: extensions that exist", "found", &s->found);
	if (s->found.total && s->found_dropped)
		fprintf(out, "<dt></dt><dd class=\"muted\">ghostguard would "
		    "have dropped the %llu answers that gave them away</dd>\n",
		    (unsigned long long)s->found_dropped);
	card_counts(out, s);
	fputs("</dl>\n</section>\n", out);
}

int
html_write(struct report *r, FILE *out, const char *files)
{
	struct report_summary sum;
	struct report_source *v;
	size_t n, i;
	int rc = 0;

	if ((v = report_sources(r, HTML_CARDS, &n, &sum)) == NULL)
		return -1;
	page_head(out, files);
	summary(out, &sum, files);
	if (timeline(out, v, n, &sum) != 0)
		rc = -1;
	fprintf(out, "<h2>Sources</h2>\n");
	if (n == 0)
		fputs("<p>No SIP traffic from outside sources.</p>\n", out);
	for (i = 0; i < n; i++)
		card(out, &v[i], i);
	fputs("<footer>", out);
	if (sum.sources > n)
		fprintf(out, "%zu further %s in the text and JSON "
		    "reports (<code>ghostguard analyze</code>, "
		    "<code>--json</code>). ", sum.sources - n,
		    sum.sources - n == 1 ? "source is" : "sources are");
	if (sum.tot.sources_untracked)
		fprintf(out, "%llu %s from about %llu further %s %s "
		    "counted but not described (--max-sources). ",
		    (unsigned long long)sum.tot.sources_untracked,
		    sum.tot.sources_untracked == 1 ? "packet" : "packets",
		    (unsigned long long)sum.others, sum.others == 1 ?
		    "source" : "sources", sum.tot.sources_untracked == 1 ?
		    "is" : "are");
	fputs("Written by <code>ghostguard analyze --html</code>. Packets "
	    "&ldquo;dropped&rdquo; are those ghostguard would drop inline; "
	    "the capture itself was not filtered.</footer>\n"
	    "</main>\n</body>\n</html>\n", out);
	free(v);
	if (fflush(out) != 0 || ferror(out)) {
		if (errno == 0)
			errno = EIO;
		rc = -1;
	}
	return rc;
}
