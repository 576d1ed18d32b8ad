/*
 * report.h - what `ghostguard analyze` says about a capture.
 *
 * The report collects, per remote source, what the engine decided and what
 * the packets showed: the tool and its evidence, the techniques, the
 * extensions and hosts tried, the passwords guessed, the extensions the
 * target's answers gave away, packets, drops and the packet that would have
 * banned it. Memory is bounded: at most max_sources sources (later ones are
 * counted, not described) and a fixed number of examples per list.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "../engine/engine.h"

struct report;

/* Totals over the whole capture. */
struct report_totals {
	uint64_t	payloads;	/* payloads the decoder delivered */
	uint64_t	sip;		/* of which parsed as SIP (ok or bad) */
	uint64_t	malformed;	/* of which malformed */
	uint64_t	accepted, dropped, bans;
	uint64_t	sources_untracked; /* sources past max_sources */
	uint64_t	first_ns, last_ns;
};

struct report	*report_new(size_t max_sources);
void		 report_free(struct report *r);

/* Adds one judged payload. */
void		 report_add(struct report *r, const struct engine *e,
		    const struct net_pkt *pkt, const struct sip_msg *m,
		    enum sip_rc rc, const struct engine_result *res);

/* Writes the report for people. files names the inputs. */
void		 report_text(struct report *r, FILE *out, const char *files);
/* Writes the report as one JSON object. */
void		 report_json(struct report *r, FILE *out, const char *files);

const struct report_totals *report_totals(const struct report *r);

#endif /* REPORT_H */
