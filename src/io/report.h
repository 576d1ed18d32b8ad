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

#include <stdint.h>
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

/*
 * The most sources a report can be sized for: its table's slots (a power
 * of two, at least twice the sources) and their bytes must not wrap.
 */
#define REPORT_MAX_SOURCES	(SIZE_MAX / 4 / sizeof(void *))

/*
 * A report that describes at most max_sources sources (later ones are
 * counted). NULL with errno ENOMEM when out of memory or max_sources is
 * past REPORT_MAX_SOURCES.
 */
struct report	*report_new(size_t max_sources);
void		 report_free(struct report *r);

/* Adds one judged payload. */
void		 report_add(struct report *r, const struct engine *e,
		    const struct net_pkt *pkt, const struct sip_msg *m,
		    enum sip_rc rc, const struct engine_result *res);

/*
 * Notes a payload that another shard of the same capture judges (analyze on
 * two cores): it is counted in the totals every shard keeps alike (payloads,
 * first and last time) and sets the scale of the summary's timeline, so
 * that report_merge() can add the shards' timelines bucket by bucket.
 */
void		 report_skip(struct report *r, const struct net_pkt *pkt);

/*
 * Merges o, another shard of the same payloads, into r: each payload was
 * report_add()ed to one of them and report_skip()ped in the other, so their
 * sources are disjoint. r takes o's sources (o keeps none; free it), the
 * sum of both limits, the sums of the per-shard totals; the payloads and
 * the first and last times are r's, which saw them all. The merged report
 * says what one report fed every payload would, as long as no shard reached
 * its max_sources. 0, or -1 when out of memory or the sum of the limits
 * is past REPORT_MAX_SOURCES (r and o unchanged).
 */
int		 report_merge(struct report *r, struct report *o);
/* Keeps the max sources the report prints first (scanners, then by
 * packets); the others are counted as not described, as sources past the
 * report's size are. 0, or -1 when out of memory (r unchanged). */
int		 report_trim(struct report *r, size_t max);

/* Writes the report for people. files names the inputs. */
void		 report_text(struct report *r, FILE *out, const char *files);
/* Writes the report as one JSON object. */
void		 report_json(struct report *r, FILE *out, const char *files);

const struct report_totals *report_totals(const struct report *r);

/*
 * A read-only view of the report for other writers (html.c). The strings
 * are printable ASCII (gg_str_print) but come from packets: a writer must
 * escape them for its format.
 */
#define REPORT_LIST_MAX	12	/* examples kept per list */
#define REPORT_BUCKETS	120	/* buckets of a source's timeline */

/* Examples of a list, and how many distinct values it had in all (exact up
 * to 64, estimated past it: then estimated is set and a report says
 * "about"). */
struct report_list {
	const char	*v[REPORT_LIST_MAX];
	unsigned	 n;		/* examples in v */
	uint64_t	 total;		/* distinct values */
	bool		 estimated;	/* total is an estimate */
};

/*
 * The packets to and from one source over time: REPORT_BUCKETS buckets of
 * width_ns from origin_ns (its first packet). When a packet falls past the
 * last bucket the width doubles and pairs of buckets merge, so a source
 * costs the same whatever the length of the capture. Counts saturate.
 */
struct report_timeline {
	uint64_t	origin_ns;
	uint64_t	width_ns;	/* 0: no packet yet */
	uint32_t	pass[REPORT_BUCKETS];	/* accepted */
	uint32_t	drop[REPORT_BUCKETS];	/* dropped */
};

/* One source as reported. Pointers are valid until report_free(). */
struct report_source {
	char		 addr[GG_ADDRSTRLEN];
	enum engine_class class;
	bool		 trusted;	/* a trusted server */
	const char	*tool;		/* the tool it is named, NULL: none */
	const struct sig *sigs[4];	/* evidence, in the order first seen */
	unsigned	 nsigs;
	const char	*ua;		/* first User-Agent, "" when none */
	uint32_t	 techniques;	/* enum engine_tech bits, as reported */
	uint64_t	 packets;	/* packets it sent */
	uint64_t	 answers;	/* packets sent to it */
	uint64_t	 dropped;	/* of both, dropped */
	uint64_t	 dropped_sent;	/* of those it sent, dropped */
	uint64_t	 detected_at;	/* its packet number, 0: never */
	uint64_t	 banned_at;	/* its packet number, 0: never */
	uint64_t	 detected_ns;	/* when, 0: never */
	uint64_t	 banned_ns;	/* when, 0: never */
	uint64_t	 first_ns, last_ns;
	uint64_t	 auth;		/* requests carrying credentials: the
					 * passwords it tried */
	uint64_t	 malformed;
	uint64_t	 policy;	/* requests refused by the policy */
	enum policy_rule last_policy;
	struct report_list users;	/* extensions tried */
	struct report_list hosts;	/* hosts tried */
	struct report_list found;	/* extensions the answers revealed */
	struct report_list passwords;	/* passwords read from its tags */
	uint64_t	 found_dropped;	/* revealing answers dropped */
	const struct report_timeline *timeline;
};

/* The whole capture, as the summary line says it. */
struct report_summary {
	size_t		 sources;	/* described */
	size_t		 k[3];		/* of which by enum engine_class */
	size_t		 banned;
	uint64_t	 others;	/* sources not described (estimate) */
	uint64_t	 benign_dropped; /* packets of benign sources dropped */
	const struct report_timeline *all; /* every payload, all sources */
	struct report_totals tot;
};

/*
 * Fills *sum and returns the first max sources in report order (scanners
 * first, then by packets), *n of them, as an array the caller frees. NULL
 * when out of memory. Call it after the last report_add().
 */
struct report_source *report_sources(struct report *r, size_t max,
		    size_t *n, struct report_summary *sum);

/*
 * One or two plain sentences on what the source did and what ghostguard
 * would have done, for someone who has never heard of SIPVicious (the text
 * and HTML reports share them). Writes at most len bytes into buf.
 */
void		 report_sentence(const struct report_source *s, char *buf,
		    size_t len);
/* One sentence on the whole capture. */
void		 report_summary_sentence(const struct report_summary *sum,
		    char *buf, size_t len);
/* What a technique means, in a few plain words. */
const char	*report_tech_explain(enum engine_tech t);
/*
 * A capture time (nanoseconds since the epoch) in UTC: ISO 8601
 * (2026-11-25T04:23:44Z) for the text and JSON reports, or for people
 * (2026-11-25 04:23:44 UTC) when human; "?" when it cannot be written.
 */
void		 report_fmt_time(uint64_t ns, bool human, char *buf,
		    size_t len);

#endif /* REPORT_H */
