/*
 * html.h - `ghostguard analyze --html`: the report as one page.
 *
 * The page stands alone: inline CSS and SVG, no script, no external asset,
 * so it can be mailed or opened from a USB stick. It shows the summary, a
 * timeline of the packets to and from each source (passed above the line,
 * dropped below it, the ban marked), and a card per source with the tool,
 * the evidence, the techniques, what it tried and learned, and what
 * ghostguard would have done.
 *
 * Everything that comes from packets (User-Agents, extensions, hosts,
 * passwords) is attacker-controlled and is escaped; the page also carries a
 * Content-Security-Policy that forbids scripts, in case. The page is
 * bounded like the report: at most HTML_ROWS timeline rows and HTML_CARDS
 * cards (the rest are counted), each from the report's fixed-size lists
 * and timelines.
 */
#ifndef HTML_H
#define HTML_H

#include <stdio.h>

#include "report.h"

#define HTML_ROWS	40	/* timeline rows */
#define HTML_CARDS	300	/* source cards */

/*
 * Writes the page for r (after its last report_add()); files names the
 * inputs. Returns 0, or -1 with errno when memory or the output failed.
 */
int	html_write(struct report *r, FILE *out, const char *files);

#endif /* HTML_H */
