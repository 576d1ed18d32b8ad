/*
 * sip_test.c - unit tests of the SIP parser (src/sip/sip.h).
 *
 * Part one runs every RFC 4475 and RFC 5118 torture message of the shared
 * corpus ($GG_CORPUS, default ../shared/corpus) with its verdict from
 * torture/INDEX.tsv and, for the valid ones, the fields the RFC text names.
 * RFC 5118 messages are LF-only as archived: each runs as-is and converted to
 * CRLF. Every prefix of every message is parsed too. Part two is a table of
 * small messages for compact forms, folding, display names, IPv6, tel: URIs,
 * several messages in one buffer, header order and malformed inputs. Every
 * input sits at the end of a page followed by a PROT_NONE page.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/sip/sip.h"
#include "../lib/t.h"

/* Archive quirks the harness compensates for (PROVENANCE.md, INDEX.tsv). */
#define Q_NOEND		0x01	/* no empty line after the last header:
				 * the harness appends it */
#define Q_CLSHORT	0x02	/* archived body shorter than Content-Length:
				 * SIP_ERR_BODY_SHORT is accepted */
#define Q_NOVERDICT	0x04	/* no verdict: must only not crash */
#define Q_LF		0x08	/* LF-only as archived (RFC 5118) */

/* A field the table does not check. */
static const char ANY[] = "\001any";

struct tort {
	const char	*file;		/* under torture/ */
	enum sip_rc	 rc;
	enum sip_err	 err;
	unsigned	 quirk;
	/* Fields of valid messages; NULL is empty or absent. */
	const char	*m;		/* method; NULL for a response */
	int		 status;
	const char	*rs, *ru, *rh;	/* Request-URI scheme, user, host */
	unsigned	 rp;		/* Request-URI port */
	const char	*cid;		/* Call-ID */
	uint32_t	 cseq;
	const char	*cm;		/* CSeq method */
	const char	*ft, *tt;	/* From tag, To tag */
	const char	*vh;		/* top Via sent-by host */
	unsigned	 vp;		/* top Via sent-by port */
	const char	*vb;		/* top Via branch */
	unsigned	 vn;		/* Via values */
	long long	 cl;		/* Content-Length */
};

#define OK	SIP_OK
#define BAD	SIP_EBADMSG
#define INVALID(f, e, q) \
	{ .file = (f), .rc = BAD, .err = (e), .quirk = (q) }

static const struct tort torture[] = {
	/* RFC 4475 3.1.1: valid. */
	{ "rfc4475/wsinv.dat", OK, 0, 0, "INVITE", 0, "sip", "vivekg",
	  "chair-dnrc.example.com", 0, "wsinv.ndaksdj@192.0.2.1", 9, "INVITE",
	  "98asjd8", "1918181833n", "192.0.2.2", 0, "390skdjuw", 3, 150 },
	{ "rfc4475/intmeth.dat", OK, 0, 0,
	  "!interesting-Method0123456789_*+`.%indeed'~", 0, "sip",
	  "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "example.com", 0,
	  "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", 139122385,
	  "!interesting-Method0123456789_*+`.%indeed'~", "_token~1'+`*%!-.",
	  NULL, "host1.example.com", 0, "z9hG4bK-.!%66*_+`'~", 1, 0 },
	{ "rfc4475/esc01.dat", OK, 0, 0, "INVITE", 0, "sip",
	  "sips%3Auser%40example.com", "example.net", 0,
	  "esc01.239409asdfakjkn23onasd0-3234", 234234, "INVITE", "938", NULL,
	  "host5.example.net", 0, "z9hG4bKkdjuw", 1, 150 },
	{ "rfc4475/escnull.dat", OK, 0, 0, "REGISTER", 0, "sip", NULL,
	  "example.com", 0, "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd",
	  14398234, "REGISTER", "839923423", NULL, "host5.example.com", 0,
	  "z9hG4bKkdjuw", 1, 0 },
	{ "rfc4475/esc02.dat", OK, 0, 0, "RE%47IST%45R", 0, "sip", NULL,
	  "registrar.example.com", 0, "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf",
	  29344, "RE%47IST%45R", "f232jadfj23", NULL, "host.example.com", 0,
	  "z9hG4bK209%fzsnel234", 1, 0 },
	{ "rfc4475/lwsdisp.dat", OK, 0, 0, "OPTIONS", 0, "sip", "user",
	  "example.com", 0, "lwsdisp.1234abcd@funky.example.com", 60, "OPTIONS",
	  "323", NULL, "funky.example.com", 0, "z9hG4bKkdjuw", 1, 0 },
	{ "rfc4475/longreq.dat", OK, 0, 0, "INVITE", 0, "sip", "user",
	  "example.com", 0, ANY, 3882340, "INVITE", ANY, NULL,
	  "sip33.example.com", 0, NULL, 34, 150 },
	{ "rfc4475/dblreq.dat", OK, 0, 0, "REGISTER", 0, "sip", NULL,
	  "example.com", 0, "dblreq.0ha0isndaksdj99sdfafnl3lk233412", 8,
	  "REGISTER", "43251j3j324", NULL, "192.0.2.125", 0,
	  "z9hG4bKkdjuw23492", 1, 0 },
	{ "rfc4475/semiuri.dat", OK, 0, 0, "OPTIONS", 0, "sip",
	  "user;par=u%40example.net", "example.com", 0, "semiuri.0ha0isndaksdj",
	  8, "OPTIONS", "33242", NULL, "192.0.2.1", 0, "z9hG4bKkdjuw", 1, 0 },
	{ "rfc4475/transports.dat", OK, 0, 0, "OPTIONS", 0, "sip", "user",
	  "example.com", 0, "transports.kijh4akdnaqjkwendsasfdj", 60, "OPTIONS",
	  "323", NULL, "t1.example.com", 0, "z9hG4bKkdjuw", 5, 0 },
	{ "rfc4475/mpart01.dat", OK, 0, 0, "MESSAGE", 0, "sip", "kumiko",
	  "example.org", 0, "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", 1,
	  "MESSAGE", "2fb0dcc9", NULL, "127.0.0.1", 5070,
	  "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-", 1, 553 },
	{ "rfc4475/unreason.dat", OK, 0, 0, NULL, 200, NULL, NULL, NULL, 0,
	  "unreason.1234ksdfak3j2erwedfsASdf", 35, "INVITE", "11141343", "2229",
	  "192.0.2.198", 0, "z9hG4bK1324923", 1, 154 },
	{ "rfc4475/noreason.dat", OK, 0, 0, NULL, 100, NULL, NULL, NULL, 0,
	  "noreason.asndj203insdf99223ndf", 35, "INVITE", "39ansfi3",
	  "902jndnke3", "192.0.2.105", 0, "z9hG4bK2398ndaoe", 1, 0 },
	/* RFC 4475 3.1.2: invalid. */
	INVALID("rfc4475/badinv01.dat", SIP_ERR_VIA, 0),
	INVALID("rfc4475/clerr.dat", SIP_ERR_BODY_SHORT, 0),
	INVALID("rfc4475/ncl.dat", SIP_ERR_CONTENT_LENGTH, 0),
	INVALID("rfc4475/scalar02.dat", SIP_ERR_CSEQ, 0),
	INVALID("rfc4475/scalarlg.dat", SIP_ERR_CSEQ, 0),
	INVALID("rfc4475/quotbal.dat", SIP_ERR_QUOTE, 0),
	INVALID("rfc4475/ltgtruri.dat", SIP_ERR_RURI, 0),
	INVALID("rfc4475/lwsruri.dat", SIP_ERR_RURI, 0),
	INVALID("rfc4475/lwsstart.dat", SIP_ERR_START_LINE, 0),
	INVALID("rfc4475/trws.dat", SIP_ERR_START_LINE, 0),
	INVALID("rfc4475/escruri.dat", SIP_ERR_RURI, 0),
	INVALID("rfc4475/baddate.dat", SIP_ERR_HEADER_VALUE, 0),
	INVALID("rfc4475/regbadct.dat", SIP_ERR_URI, 0),
	INVALID("rfc4475/badaspec.dat", SIP_ERR_URI, 0),
	INVALID("rfc4475/baddn.dat", SIP_ERR_DISPLAY_NAME, Q_NOEND),
	INVALID("rfc4475/badvers.dat", SIP_ERR_VERSION, 0),
	INVALID("rfc4475/mismatch01.dat", SIP_ERR_CSEQ_METHOD, 0),
	INVALID("rfc4475/mismatch02.dat", SIP_ERR_CSEQ_METHOD, 0),
	INVALID("rfc4475/bigcode.dat", SIP_ERR_STATUS, 0),
	/* RFC 4475 3.2 - 3.4. */
	{ "rfc4475/badbranch.dat", OK, 0, 0, "OPTIONS", 0, "sip", "user",
	  "example.com", 0, "badbranch.sadonfo23i420jv0as0derf3j3n", 8,
	  "OPTIONS", "33242", NULL, "192.0.2.1", 0, "z9hG4bK", 1, 0 },
	INVALID("rfc4475/insuf.dat", SIP_ERR_MISSING, 0),
	{ "rfc4475/unkscm.dat", OK, 0, 0, "OPTIONS", 0,
	  "nobodyKnowsThisScheme", NULL, NULL, 0,
	  "unkscm.nasdfasser0q239nwsdfasdkl34", 3923423, "OPTIONS", "384", NULL,
	  "host9.example.com", 0, "z9hG4bKkdjuw39234", 1, 0 },
	{ "rfc4475/novelsc.dat", OK, 0, 0, "OPTIONS", 0, "soap.beep", NULL,
	  NULL, 0, "novelsc.asdfasser0q239nwsdfasdkl34", 3923423, "OPTIONS",
	  "384", NULL, "host9.example.com", 0, "z9hG4bKkdjuw39234", 1, 0 },
	{ "rfc4475/unksm2.dat", OK, 0, 0, "REGISTER", 0, "sip", NULL,
	  "example.com", 0, "unksm2.daksdj@hyphenated-host.example.com", 234902,
	  "REGISTER", "3234233", NULL, "192.0.2.21", 5060, "z9hG4bKkdjuw", 1,
	  0 },
	{ "rfc4475/bext01.dat", OK, 0, 0, "OPTIONS", 0, "sip", "user",
	  "example.com", 0, "bext01.0ha0isndaksdj", 8, "OPTIONS", "242etr", NULL,
	  "fold-and-staple.example.com", 0, "z9hG4bKkdjuw", 1, 0 },
	{ "rfc4475/invut.dat", OK, 0, 0, "INVITE", 0, "sip", "user",
	  "example.com", 0, "invut.0ha0isndaksdjadsfij34n23d", 235448, "INVITE",
	  "8392034", NULL, "somehost.example.com", 0, "z9hG4bKkdjuw", 1, 40 },
	{ "rfc4475/regaut01.dat", OK, 0, 0, "REGISTER", 0, "sip", NULL,
	  "example.com", 0, "regaut01.0ha0isndaksdj", 9338, "REGISTER",
	  "87321hj23128", NULL, "192.0.2.253", 0, "z9hG4bKkdjuw", 1, 0 },
	INVALID("rfc4475/multi01.dat", SIP_ERR_DUPLICATE, 0),
	INVALID("rfc4475/mcl01.dat", SIP_ERR_CONTENT_LENGTH, 0),
	{ "rfc4475/bcast.dat", OK, 0, 0, NULL, 200, NULL, NULL, NULL, 0,
	  "bcast.0384840201234ksdfak3j2erwedfsASdf", 35, "INVITE", "11141343",
	  "2229", "192.0.2.198", 0, "z9hG4bK1324923", 2, 154 },
	{ "rfc4475/zeromf.dat", OK, 0, 0, "OPTIONS", 0, "sip", "user",
	  "example.com", 0, "zeromf.jfasdlfnm2o2l43r5u0asdfas", 39234321,
	  "OPTIONS", "3ghsd41", NULL, "host1.example.com", 0,
	  "z9hG4bKkdjuw2349i", 1, 0 },
	{ "rfc4475/cparam01.dat", OK, 0, 0, "REGISTER", 0, "sip", NULL,
	  "example.com", 0, "cparam01.70710@saturn.example.com", 2, "REGISTER",
	  "DkfVgjkrtMwaerKKpe", NULL, "saturn.example.com", 5060,
	  "z9hG4bKkdjuw", 1, 0 },
	{ "rfc4475/cparam02.dat", OK, 0, 0, "REGISTER", 0, "sip", NULL,
	  "example.com", 0, "cparam02.70710@saturn.example.com", 3, "REGISTER",
	  "838293", NULL, "saturn.example.com", 5060, "z9hG4bKkdjuw", 1, 0 },
	{ "rfc4475/regescrt.dat", OK, 0, 0, "REGISTER", 0, "sip", NULL,
	  "example.com", 0, "regescrt.k345asrl3fdbv@192.0.2.1", 14398234,
	  "REGISTER", "8", NULL, "host5.example.com", 0, "z9hG4bKkdjuw", 1, 0 },
	{ "rfc4475/sdp01.dat", OK, 0, 0, "INVITE", 0, "sip", "user",
	  "example.com", 0, "sdp01.ndaksdj9342dasdd", 8, "INVITE", "234", NULL,
	  "192.0.2.15", 0, "z9hG4bKkdjuw", 1, 150 },
	{ "rfc4475/inv2543.dat", OK, 0, 0, "INVITE", 0, "sip", "UserB",
	  "example.com", 0, "inv2543.1717@ift.client.example.com", 56, "INVITE",
	  NULL, NULL, "iftgw.example.com", 0, NULL, 1, -1 },
	{ .file = "rfc4475/test.dat", .quirk = Q_NOVERDICT },
	/* RFC 5118, LF-only as archived. */
	{ "rfc5118/ipv6-good", OK, 0, Q_LF, "REGISTER", 0, "sip", NULL,
	  "2001:db8::10", 0, "SSG9559905523997077@hlau_4100", 98176, "REGISTER",
	  "81x2", NULL, "2001:db8::9:1", 0, "z9hG4bKas3-111", 1, 0 },
	INVALID("rfc5118/ipv6-bad", SIP_ERR_RURI, Q_LF),
	{ "rfc5118/port-ambiguous", OK, 0, Q_LF, "REGISTER", 0, "sip", NULL,
	  "2001:db8::10:5070", 0, "SSG9559905523997077@hlau_4100", 98176,
	  "REGISTER", "81x2", NULL, "2001:db8::9:1", 0, "z9hG4bKas3-111", 1,
	  0 },
	{ "rfc5118/port-unambiguous", OK, 0, Q_LF, "REGISTER", 0, "sip", NULL,
	  "2001:db8::10", 5070, "SSG9559905523997077@hlau_4100", 98176,
	  "REGISTER", "81x2", NULL, "2001:db8::9:1", 0, "z9hG4bKas3-111", 1,
	  0 },
	{ "rfc5118/via-received-param-with-delim", OK, 0, Q_LF, "BYE", 0,
	  "sip", NULL, "2001:db8::10", 0, "SSG9559905523997077@hlau_4100", 321,
	  "BYE", "81x2", "bd76ya", "2001:db8::9:1", 0, "z9hG4bKas3-111", 1, 0 },
	{ "rfc5118/via-received-param-no-delim", OK, 0, Q_LF, "OPTIONS", 0,
	  "sip", NULL, "2001:db8::10", 0, "SSG95523997077@hlau_4100", 921,
	  "OPTIONS", "81x2", NULL, "2001:db8::9:1", 0, "z9hG4bKas3", 1, 0 },
	{ "rfc5118/ipv6-in-sdp", OK, 0, Q_LF | Q_CLSHORT, "INVITE", 0, "sip",
	  "user", "2001:db8::10", 0, "SSG9559905523997077@hlau_4100", 8612,
	  "INVITE", "81x2", NULL, "2001:db8::20", 0, "z9hG4bKas3-111", 1,
	  268 },
	{ "rfc5118/mult-ip-in-header", OK, 0, Q_LF, "BYE", 0, "sip", "user",
	  "host.example.net", 0, "997077@lau_4100", 89187, "BYE", "81x2",
	  "9817--94", "2001:db8::9:1", 6050, "z9hG4bKas3-111", 3, 0 },
	{ "rfc5118/mult-ip-in-sdp", OK, 0, Q_LF | Q_CLSHORT, "INVITE", 0,
	  "sip", "user", "2001:db8::10", 0, "SSG9559905523997077@hlau_4100",
	  8912, "INVITE", "81x2", NULL, "2001:db8::9:1", 0, "z9hG4bKas3-111", 1,
	  181 },
	{ "rfc5118/ipv4-mapped-ipv6", OK, 0, Q_LF, "INVITE", 0, "sip", "user",
	  "example.com", 0, "SSG9559905523997077@hlau_4100", 612, "INVITE",
	  "81x2", NULL, "::ffff:192.0.2.10", 19823, "z9hG4bKbh19", 2, 236 },
	{ "rfc5118/ipv6-bug-abnf-3-colons", OK, 0, Q_LF | Q_NOEND, "OPTIONS",
	  0, "sip", "user", "2001:db8:::192.0.2.1", 0,
	  "G9559905523997077@hlau_4100", 689, "OPTIONS", "810x2", NULL,
	  "lab1.east.example.com", 0, "z9hG4bKas3-111", 1, 0 },
	{ "rfc5118/ipv6-correct-abnf-2-colons", OK, 0, Q_LF | Q_NOEND,
	  "OPTIONS", 0, "sip", "user", "2001:db8::192.0.2.1", 0,
	  "G9559905523997077@hlau_4100", 689, "OPTIONS", "810x2", NULL,
	  "lab1.east.example.com", 0, "z9hG4bKas3-111", 1, 0 },
};

static const char *corpus;

static const char *const rc_names[] = {
	"SIP_OK", "SIP_EPARTIAL", "SIP_EBADMSG", "SIP_ENOTSIP"
};

/* Checks that a slice equals want (NULL: empty; ANY: not checked). */
static void
check_str(const char *name, const char *what, struct gg_str got,
    const char *want)
{
	char buf[128], wbuf[128];
	struct gg_str w = { want, want == NULL ? 0 : strlen(want) };

	if (want == ANY)
		return;
	T_OK(want == NULL ? got.len == 0 : gg_str_eq(got, want),
	    "%s: %s is \"%s\" (got \"%s\")", name, what,
	    gg_str_print(w, wbuf, sizeof(wbuf)),
	    gg_str_print(got, buf, sizeof(buf)));
}

static void
check_num(const char *name, const char *what, long long got, long long want)
{
	T_OK(got == want, "%s: %s is %lld (got %lld)", name, what, want, got);
}

/* The fields of a valid torture message (struct tort). */
static void
check_fields(const char *name, const struct tort *t, const struct sip_msg *m)
{
	if (t->m != NULL) {
		check_str(name, "method", m->method, t->m);
		check_str(name, "R-URI scheme", m->ruri.scheme, t->rs);
		check_str(name, "R-URI user", m->ruri.user, t->ru);
		check_str(name, "R-URI host", m->ruri.host, t->rh);
		check_num(name, "R-URI port", m->ruri.port, t->rp);
	} else {
		check_num(name, "status", m->status, t->status);
	}
	check_num(name, "is_request", m->is_request, t->m != NULL);
	check_str(name, "Call-ID", m->call_id, t->cid);
	check_num(name, "CSeq", m->cseq, t->cseq);
	check_str(name, "CSeq method", m->cseq_method, t->cm);
	check_str(name, "From tag", m->from.tag, t->ft);
	check_num(name, "From has_tag", m->from.has_tag, t->ft != NULL);
	check_str(name, "To tag", m->to.tag, t->tt);
	check_str(name, "Via host", m->via.host, t->vh);
	check_num(name, "Via port", m->via.port, t->vp);
	check_str(name, "Via branch", m->via.branch, t->vb);
	check_num(name, "Via count", m->via_count, t->vn);
	check_num(name, "Content-Length", m->content_length, t->cl);
}

/* Converts bare LF line ends to CRLF into a malloc'd copy. */
static char *
to_crlf(const char *p, size_t len, size_t *outlen)
{
	char *o = malloc(len * 2 + 1);
	size_t i, n = 0;

	if (o == NULL)
		abort();
	for (i = 0; i < len; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			o[n++] = '\r';
		o[n++] = p[i];
	}
	*outlen = n;
	return o;
}

/*
 * Every prefix of a message: before the end of the header section the
 * parser must ask for more, inside a Content-Length body it must call the
 * body short, and from msg_len on it must agree with the whole message.
 */
static void
check_prefixes(const char *name, const char *data, size_t len,
    enum sip_rc full_rc, size_t hdr_end, size_t msg_len, bool has_cl)
{
	struct sip_msg m;
	size_t k, bad = 0, first_bad = 0, peek_bad = 0;
	enum sip_rc rc, want;

	for (k = 0; k < len; k++) {
		const char *g = t_guard_copy(data, k);

		rc = sip_parse(&m, g, k);
		peek_bad += sip_peek_status(g, k) != m.status;
		t_guard_free(g, k);
		if (k < hdr_end)
			want = SIP_EPARTIAL;
		else if (k < msg_len && has_cl)
			want = SIP_EBADMSG;
		else
			want = full_rc;
		if (rc != want && bad++ == 0)
			first_bad = k;
	}
	T_OK(bad == 0, "%s: all %zu prefixes consistent (first bad at %zu)",
	    name, len, first_bad);
	T_OK(peek_bad == 0, "%s: sip_peek_status agrees with sip_parse on "
	    "every prefix (%zu differ)", name, peek_bad);
}

/* One torture message as given (possibly made CRLF) in data. */
static void
torture_one(const struct tort *t, const char *name, const char *data,
    size_t len, bool lf)
{
	struct sip_msg m;
	const char *g = t_guard_copy(data, len);
	enum sip_rc rc = sip_parse(&m, g, len);
	bool ok;

	if (t->quirk & Q_NOVERDICT) {
		T_OK(rc <= SIP_ENOTSIP, "%s: no verdict, parsed without crash "
		    "(%s)", name, rc_names[rc]);
		t_guard_free(g, len);
		return;
	}
	ok = rc == t->rc && m.err == t->err;
	if ((t->quirk & Q_CLSHORT) && rc == SIP_EBADMSG &&
	    m.err == SIP_ERR_BODY_SHORT)
		ok = true;
	T_OK(ok, "%s: %s/%s (got %s/%s at %zu)", name, rc_names[t->rc],
	    sip_err_str(t->err), rc_names[rc], sip_err_str(m.err), m.err_off);
	T_OK(sip_peek_status(g, len) == m.status, "%s: sip_peek_status says "
	    "%d", name, m.status);
	if (t->rc == SIP_OK) {
		check_fields(name, t, &m);
		T_OK(m.lf_only == lf, "%s: lf_only is %d", name, lf);
	}
	if (rc != SIP_EPARTIAL)
		check_prefixes(name, data, len, rc,
		    (size_t)(m.body.p - g), m.msg_len, m.content_length >= 0);
	t_guard_free(g, len);
}

static void
test_torture(void)
{
	char path[4096], name[256];
	size_t i, len, clen;
	char *data, *crlf;

	for (i = 0; i < GG_NELEM(torture); i++) {
		const struct tort *t = &torture[i];

		snprintf(path, sizeof(path), "%s/torture/%s", corpus, t->file);
		if ((data = t_slurp(path, &len)) == NULL) {
			T_OK(0, "%s: readable", path);
			continue;
		}
		if (t->quirk & Q_NOEND) {
			/* Room for the byte t_slurp's NUL took, and one more. */
			data = realloc(data, len + 3);
			if (data == NULL)
				abort();
			if (!(t->quirk & Q_LF))
				data[len++] = '\r';
			data[len++] = '\n';
		}
		torture_one(t, t->file, data, len, (t->quirk & Q_LF) != 0);
		if (t->quirk & Q_LF) {
			crlf = to_crlf(data, len, &clen);
			snprintf(name, sizeof(name), "%s (CRLF)", t->file);
			torture_one(t, name, crlf, clen, false);
			free(crlf);
		}
		free(data);
	}
}

/* Every file of the two torture directories has a row in the table. */
static void
test_torture_listed(void)
{
	static const char *const dirs[] = { "rfc4475", "rfc5118" };
	char path[4096], rel[512];
	struct dirent *de;
	size_t i, j, n;
	DIR *d;

	for (i = 0; i < GG_NELEM(dirs); i++) {
		snprintf(path, sizeof(path), "%s/torture/%s", corpus, dirs[i]);
		if ((d = opendir(path)) == NULL) {
			T_OK(0, "%s: readable", path);
			continue;
		}
		n = 0;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			n++;
			snprintf(rel, sizeof(rel), "%s/%s", dirs[i],
			    de->d_name);
			for (j = 0; j < GG_NELEM(torture); j++)
				if (strcmp(torture[j].file, rel) == 0)
					break;
			if (j == GG_NELEM(torture))
				T_OK(0, "%s has an expectation", rel);
		}
		closedir(d);
		T_OK(n > 0, "%s: %zu files, all in the table", dirs[i], n);
	}
}

/* Small messages: one line per input and its verdict. */
#define VIA	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
#define FROM	"From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
#define TO	"To: <sip:bob@example.com>\r\n"
#define CID	"Call-ID: a84b4c76e66710@pc33.example.com\r\n"
#define CSEQ	"CSeq: 314159 INVITE\r\n"
#define HDRS	VIA FROM TO CID CSEQ
#define INV	"INVITE sip:bob@example.com SIP/2.0\r\n"
#define END	"Content-Length: 0\r\n\r\n"

struct ucase {
	const char	*name;
	const char	*in;
	enum sip_rc	 rc;
	enum sip_err	 err;
};

static const struct ucase ucases[] = {
	{ "minimal INVITE", INV HDRS END, SIP_OK, 0 },
	{ "empty buffer", "", SIP_EPARTIAL, SIP_ERR_NO_END },
	{ "keep-alive CRLFs only", "\r\n\r\n", SIP_EPARTIAL, SIP_ERR_NO_END },
	{ "keep-alive then message", "\r\n\r\n" INV HDRS END, SIP_OK, 0 },
	{ "start line cut", "INVITE sip:bob@exa", SIP_EPARTIAL,
	  SIP_ERR_NO_END },
	{ "no empty line", INV HDRS, SIP_EPARTIAL, SIP_ERR_NO_END },
	{ "HTTP request", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", SIP_ENOTSIP, 0 },
	{ "HTTP response", "HTTP/1.1 200 OK\r\n\r\n", SIP_ENOTSIP, 0 },
	{ "TLS hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n",
	  SIP_ENOTSIP, 0 },
	{ "binary, no LF", "\x01\x02\x03", SIP_ENOTSIP, 0 },
	{ "no version", "INVITE sip:bob@example.com\r\n" HDRS END,
	  SIP_ENOTSIP, 0 },
	{ "SIP/3.0", "INVITE sip:x SIP/3.0\r\n" HDRS END, SIP_EBADMSG,
	  SIP_ERR_VERSION },
	{ "lower-case sip/2.0", "INVITE sip:x@y sip/2.0\r\n" HDRS END,
	  SIP_OK, 0 },
	{ "method not a token", "INV\xc3\xa9TE sip:x@y SIP/2.0\r\n" HDRS END,
	  SIP_EBADMSG, SIP_ERR_METHOD },
	{ "no Request-URI", "INVITE SIP/2.0\r\n" HDRS END, SIP_EBADMSG,
	  SIP_ERR_START_LINE },
	{ "Request-URI no scheme", "INVITE bob SIP/2.0\r\n" HDRS END,
	  SIP_EBADMSG, SIP_ERR_RURI },
	{ "Request-URI bad port", "INVITE sip:a@b:99999 SIP/2.0\r\n" HDRS END,
	  SIP_EBADMSG, SIP_ERR_RURI },
	{ "Request-URI unclosed [", "INVITE sip:a@[::1 SIP/2.0\r\n" HDRS END,
	  SIP_EBADMSG, SIP_ERR_RURI },
	{ "status 200", "SIP/2.0 200 OK\r\n" HDRS END, SIP_OK, 0 },
	{ "status no reason, no SP", "SIP/2.0 180\r\n" HDRS END, SIP_OK, 0 },
	{ "status 099", "SIP/2.0 099 Hmm\r\n" HDRS END, SIP_EBADMSG,
	  SIP_ERR_STATUS },
	{ "status 2000", "SIP/2.0 2000 OK\r\n" HDRS END, SIP_EBADMSG,
	  SIP_ERR_STATUS },
	{ "status not a number", "SIP/2.0 OK\r\n" HDRS END, SIP_EBADMSG,
	  SIP_ERR_STATUS },
	{ "status version 1.0", "SIP/1.0 200 OK\r\n" HDRS END, SIP_EBADMSG,
	  SIP_ERR_VERSION },
	{ "header without colon", INV HDRS "Foo bar\r\n" END, SIP_EBADMSG,
	  SIP_ERR_HEADER },
	{ "header without name", INV HDRS ": bar\r\n" END, SIP_EBADMSG,
	  SIP_ERR_HEADER },
	{ "fold right after start line", INV " x\r\n" HDRS END, SIP_EBADMSG,
	  SIP_ERR_HEADER },
	{ "missing Via", INV FROM TO CID CSEQ END, SIP_EBADMSG,
	  SIP_ERR_MISSING },
	{ "missing CSeq", INV VIA FROM TO CID END, SIP_EBADMSG,
	  SIP_ERR_MISSING },
	{ "missing Call-ID", INV VIA FROM TO CSEQ END, SIP_EBADMSG,
	  SIP_ERR_MISSING },
	{ "empty Call-ID", INV VIA FROM TO "Call-ID:\r\n" CSEQ END,
	  SIP_EBADMSG, SIP_ERR_HEADER_VALUE },
	{ "duplicate From", INV HDRS FROM END, SIP_EBADMSG,
	  SIP_ERR_DUPLICATE },
	{ "duplicate Call-ID, compact", INV HDRS "i: x\r\n" END, SIP_EBADMSG,
	  SIP_ERR_DUPLICATE },
	{ "CSeq without method", INV VIA FROM TO CID "CSeq: 1\r\n" END,
	  SIP_EBADMSG, SIP_ERR_CSEQ },
	{ "CSeq not a number", INV VIA FROM TO CID "CSeq: x INVITE\r\n" END,
	  SIP_EBADMSG, SIP_ERR_CSEQ },
	{ "CSeq 2^32 - 1", INV VIA FROM TO CID "CSeq: 4294967295 INVITE\r\n"
	  END, SIP_OK, 0 },
	{ "CSeq 2^32", INV VIA FROM TO CID "CSeq: 4294967296 INVITE\r\n" END,
	  SIP_EBADMSG, SIP_ERR_CSEQ },
	{ "CSeq method differs", INV VIA FROM TO CID "CSeq: 1 BYE\r\n" END,
	  SIP_EBADMSG, SIP_ERR_CSEQ_METHOD },
	{ "CSeq method case", INV VIA FROM TO CID "CSeq: 1 invite\r\n" END,
	  SIP_EBADMSG, SIP_ERR_CSEQ_METHOD },
	{ "Content-Length overflow", INV HDRS
	  "Content-Length: 99999999999999999999999\r\n\r\n", SIP_EBADMSG,
	  SIP_ERR_CONTENT_LENGTH },
	{ "Content-Length not a number", INV HDRS "l: 1x\r\n\r\n",
	  SIP_EBADMSG, SIP_ERR_CONTENT_LENGTH },
	{ "Content-Length empty", INV HDRS "l:\r\n\r\n", SIP_EBADMSG,
	  SIP_ERR_CONTENT_LENGTH },
	{ "Content-Length twice, same", INV HDRS "l: 0\r\n" END, SIP_OK, 0 },
	{ "Content-Length twice, differ", INV HDRS "l: 1\r\n" END,
	  SIP_EBADMSG, SIP_ERR_CONTENT_LENGTH },
	{ "body shorter", INV HDRS "l: 10\r\n\r\nabc", SIP_EBADMSG,
	  SIP_ERR_BODY_SHORT },
	{ "body longer: datagram tail ignored", INV HDRS "l: 3\r\n\r\nabcdef",
	  SIP_OK, 0 },
	{ "no Content-Length: body is the rest", INV HDRS "\r\nabc", SIP_OK,
	  0 },
	{ "Max-Forwards 256", INV HDRS "Max-Forwards: 256\r\n" END,
	  SIP_EBADMSG, SIP_ERR_HEADER_VALUE },
	{ "Max-Forwards word", INV HDRS "Max-Forwards: ten\r\n" END,
	  SIP_EBADMSG, SIP_ERR_HEADER_VALUE },
	{ "Expires date (RFC 2543) tolerated", INV HDRS
	  "Expires: Thu, 01 Dec 1994 16:00:00 GMT\r\n" END, SIP_OK, 0 },
	{ "Via list with empty value", INV
	  "Via: SIP/2.0/UDP a;branch=1,,SIP/2.0/UDP b\r\n" FROM TO CID CSEQ END,
	  SIP_EBADMSG, SIP_ERR_VIA },
	{ "Via trailing comma", INV "Via: SIP/2.0/UDP a;branch=1,\r\n"
	  FROM TO CID CSEQ END, SIP_EBADMSG, SIP_ERR_VIA },
	{ "Via without sent-by", INV "Via: SIP/2.0/UDP\r\n" FROM TO CID CSEQ
	  END, SIP_EBADMSG, SIP_ERR_VIA },
	{ "Via bad IPv6", INV "Via: SIP/2.0/UDP [zz::1];branch=1\r\n"
	  FROM TO CID CSEQ END, SIP_EBADMSG, SIP_ERR_VIA },
	{ "Via junk after host", INV "Via: SIP/2.0/UDP a b\r\n" FROM TO CID
	  CSEQ END, SIP_EBADMSG, SIP_ERR_VIA },
	{ "Via empty param value", INV "Via: SIP/2.0/UDP a;branch=\r\n"
	  FROM TO CID CSEQ END, SIP_EBADMSG, SIP_ERR_VIA },
	{ "From < unclosed", INV VIA "From: <sip:a@b;tag=1\r\n" TO CID CSEQ
	  END, SIP_EBADMSG, SIP_ERR_URI },
	{ "From quote unclosed", INV VIA "From: \"A <sip:a@b>;tag=1\r\n" TO
	  CID CSEQ END, SIP_EBADMSG, SIP_ERR_QUOTE },
	{ "From quoted name without <>", INV VIA "From: \"A\" sip:a@b\r\n" TO
	  CID CSEQ END, SIP_EBADMSG, SIP_ERR_HEADER_VALUE },
	{ "From empty", INV VIA "From:\r\n" TO CID CSEQ END, SIP_EBADMSG,
	  SIP_ERR_HEADER_VALUE },
	{ "From stray ;", INV VIA "From: <sip:a@b>;;tag=1\r\n" TO CID CSEQ
	  END, SIP_EBADMSG, SIP_ERR_HEADER_VALUE },
	{ "To with two values", INV VIA FROM
	  "To: <sip:a@b>, <sip:c@d>\r\n" CID CSEQ END, SIP_EBADMSG,
	  SIP_ERR_HEADER_VALUE },
	{ "Contact with empty value", INV HDRS
	  "Contact: <sip:a@b>, , <sip:c@d>\r\n" END, SIP_EBADMSG,
	  SIP_ERR_HEADER_VALUE },
	{ "Contact URI with space", INV HDRS "Contact: <sip:a b@c>\r\n" END,
	  SIP_EBADMSG, SIP_ERR_URI },
	{ "Authorization quote unclosed", INV HDRS
	  "Authorization: Digest username=\"bob\r\n" END, SIP_EBADMSG,
	  SIP_ERR_HEADER_VALUE },
	{ "Authorization no params", INV HDRS "Authorization: Digest\r\n" END,
	  SIP_OK, 0 },
	{ "Date not GMT", INV HDRS "Date: Sat, 13 Nov 2010 23:29:00 PST\r\n"
	  END, SIP_EBADMSG, SIP_ERR_HEADER_VALUE },
	{ "ACK", "ACK sip:bob@example.com SIP/2.0\r\n" VIA FROM TO CID
	  "CSeq: 314159 ACK\r\n" END, SIP_OK, 0 },
	{ "LF only", "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\n"
	  "From: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: 1\n"
	  "CSeq: 1 OPTIONS\n\n", SIP_OK, 0 },
	{ "CR at the very end", INV HDRS "Content-Length: 0\r\n\r",
	  SIP_EPARTIAL, SIP_ERR_NO_END },
};

static void
test_ucases(void)
{
	struct sip_msg m;
	size_t i, len;

	for (i = 0; i < GG_NELEM(ucases); i++) {
		const struct ucase *u = &ucases[i];
		const char *g;
		enum sip_rc rc;

		len = strlen(u->in);
		g = t_guard_copy(u->in, len);
		rc = sip_parse(&m, g, len);
		T_OK(rc == u->rc && m.err == u->err,
		    "%s: %s/%s (got %s/%s at %zu)", u->name, rc_names[u->rc],
		    sip_err_str(u->err), rc_names[rc], sip_err_str(m.err),
		    m.err_off);
		/* The header lines that arrived lie before the body: an
		 * empty one at the end (the signatures read them). */
		if (rc == SIP_EPARTIAL)
			T_OK(m.body.p == g + len && m.body.len == 0,
			    "%s: partial, empty body at the end", u->name);
		t_guard_free(g, len);
	}
}

/* A guarded copy of a string and its parse; free with msg_done(). */
struct parsed {
	struct sip_msg	 m;
	const char	*buf;
	size_t		 len;
	enum sip_rc	 rc;
};

static void
msg_parse(struct parsed *pm, const char *s, size_t len)
{
	pm->len = len;
	pm->buf = t_guard_copy(s, len);
	pm->rc = sip_parse(&pm->m, pm->buf, len);
}

static void
msg_done(struct parsed *pm)
{
	t_guard_free(pm->buf, pm->len);
}

static const char sipvicious[] =
    "OPTIONS sip:100@1.1.1.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5274;branch=z9hG4bK-123;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: \"sipvicious\"<sip:100@1.1.1.1>\r\n"
    "From: \"sipvicious\"<sip:100@1.1.1.1>;tag=633839653530313531336334013"
    "1333830323731363332\r\n"
    "User-Agent: friendly-scanner\r\n"
    "Call-ID: 218453543462387418153371\r\n"
    "Contact: sip:100@127.0.0.1:5274\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Accept: application/sdp\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static void
test_sipvicious(void)
{
	static const uint8_t order[] = { SIP_HDR_VIA, SIP_HDR_MAX_FORWARDS,
	    SIP_HDR_TO, SIP_HDR_FROM, SIP_HDR_USER_AGENT, SIP_HDR_CALL_ID,
	    SIP_HDR_CONTACT, SIP_HDR_CSEQ, SIP_HDR_ACCEPT,
	    SIP_HDR_CONTENT_LENGTH };
	const char *n = "sipvicious";
	struct parsed p;
	struct sip_msg *m = &p.m;

	msg_parse(&p, sipvicious, sizeof(sipvicious) - 1);
	T_OK(p.rc == SIP_OK, "%s: parses", n);
	T_OK(m->method_id == SIP_METHOD_OPTIONS, "%s: OPTIONS", n);
	check_str(n, "R-URI user", m->ruri.user, "100");
	check_str(n, "R-URI host", m->ruri.host, "1.1.1.1");
	T_OK(m->ruri.host_is_ipv4 && !m->ruri.host_is_ipv6, "%s: IPv4 host", n);
	check_str(n, "Via transport", m->via.transport, "UDP");
	check_str(n, "Via protocol", m->via.protocol, "SIP/2.0");
	check_str(n, "Via host", m->via.host, "127.0.0.1");
	check_num(n, "Via port", m->via.port, 5274);
	check_str(n, "Via branch", m->via.branch, "z9hG4bK-123");
	T_OK(m->via.has_rport && m->via.has_branch, "%s: rport, branch", n);
	check_str(n, "Via params", m->via.params, "branch=z9hG4bK-123;rport");
	check_num(n, "Max-Forwards", m->max_forwards, 70);
	check_str(n, "To display", m->to.display, "sipvicious");
	T_OK(m->to.display_quoted && m->to.angle, "%s: To quoted, <>", n);
	check_str(n, "To URI", m->to.uri.raw, "sip:100@1.1.1.1");
	check_str(n, "From tag", m->from.tag,
	    "6338396535303135313363340131333830323731363332");
	check_str(n, "User-Agent", m->user_agent, "friendly-scanner");
	check_str(n, "Call-ID", m->call_id, "218453543462387418153371");
	T_OK(!m->contact.angle && m->contact_count == 1, "%s: Contact", n);
	check_num(n, "Contact port", m->contact.uri.port, 5274);
	check_num(n, "CSeq", m->cseq, 1);
	T_OK(m->cseq_method_id == SIP_METHOD_OPTIONS, "%s: CSeq OPTIONS", n);
	check_num(n, "hdr_count", m->hdr_count, GG_NELEM(order));
	T_OK(memcmp(m->hdr_order, order, sizeof(order)) == 0 &&
	    m->hdr_order[GG_NELEM(order)] == 0, "%s: header order", n);
	T_OK(m->other_count == 0 && !m->compact && !m->lf_only,
	    "%s: no other, compact or LF-only line", n);
	check_num(n, "msg_len", (long long)m->msg_len, sizeof(sipvicious) - 1);
	T_OK(m->body.len == 0 && m->body.p == p.buf + p.len, "%s: empty body",
	    n);
	msg_done(&p);
	check_prefixes(n, sipvicious, sizeof(sipvicious) - 1, SIP_OK,
	    sizeof(sipvicious) - 1, sizeof(sipvicious) - 1, true);
}

static void
test_compact(void)
{
	static const char in[] = "MESSAGE sip:a@b SIP/2.0\r\n"
	    "v: SIP/2.0/TCP h1;branch=z9hG4bK1\r\n"
	    "f: <sip:c@d>;tag=9\r\n"
	    "T: sip:a@b\r\n"
	    "i: cid-1\r\n"
	    "m: <sip:c@h2:5070>\r\n"
	    "CSeq: 7 MESSAGE\r\n"
	    "c: text/plain\r\n"
	    "s: hello there\r\n"
	    "k: timer\r\n"
	    "e: gzip\r\n"
	    "o: presence\r\n"
	    "u: dialog\r\n"
	    "r: <sip:x@y>\r\n"
	    "g: not-a-compact-form\r\n"
	    "l: 2\r\n"
	    "\r\n"
	    "hi";
	static const uint8_t order[] = { SIP_HDR_VIA, SIP_HDR_FROM, SIP_HDR_TO,
	    SIP_HDR_CALL_ID, SIP_HDR_CONTACT, SIP_HDR_CSEQ,
	    SIP_HDR_CONTENT_TYPE, SIP_HDR_SUBJECT, SIP_HDR_SUPPORTED,
	    SIP_HDR_OTHER, SIP_HDR_OTHER, SIP_HDR_OTHER, SIP_HDR_OTHER,
	    SIP_HDR_OTHER, SIP_HDR_CONTENT_LENGTH };
	const char *n = "compact";
	struct parsed p;
	struct sip_msg *m = &p.m;

	msg_parse(&p, in, sizeof(in) - 1);
	T_OK(p.rc == SIP_OK, "%s: parses (%s)", n, sip_err_str(m->err));
	T_OK(m->compact, "%s: compact set", n);
	check_str(n, "Via host", m->via.host, "h1");
	check_str(n, "From tag", m->from.tag, "9");
	check_str(n, "To URI", m->to.uri.raw, "sip:a@b");
	check_str(n, "Call-ID", m->call_id, "cid-1");
	check_num(n, "Contact port", m->contact.uri.port, 5070);
	check_str(n, "Content-Type", m->content_type, "text/plain");
	check_str(n, "Subject", m->subject, "hello there");
	check_num(n, "Content-Length", m->content_length, 2);
	check_str(n, "body", m->body, "hi");
	check_num(n, "other_count", m->other_count, 5);
	T_OK(m->hdr_count == GG_NELEM(order) &&
	    memcmp(m->hdr_order, order, sizeof(order)) == 0,
	    "%s: header order", n);
	msg_done(&p);
	T_OK(!strcmp(sip_compact_name('v'), "Via") &&
	    !strcmp(sip_compact_name('I'), "Call-ID") &&
	    !strcmp(sip_compact_name('x'), "Session-Expires") &&
	    sip_compact_name('g') == NULL && sip_compact_name('1') == NULL &&
	    sip_compact_name('[') == NULL, "compact names: their long forms");
}

static void
test_folding(void)
{
	static const char in[] = "OPTIONS sip:a@b SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP\r\n\th1:5060\r\n ;branch=z9hG4bKx\r\n"
	    "From:\r\n <sip:c@d>\r\n  ;tag=7\r\n"
	    "To: <sip:a@b>\r\n"
	    "Call-ID:\r\n  cid-2   \r\n"
	    "CSeq: 3\r\n OPTIONS\r\n"
	    "User-Agent: Foo\r\n  Bar\r\n"
	    "Max-Forwards: \t 69\r\n"
	    "Content-Length\t:\t0\r\n"
	    "\r\n";
	const char *n = "folding";
	struct parsed p;
	struct sip_msg *m = &p.m;

	msg_parse(&p, in, sizeof(in) - 1);
	T_OK(p.rc == SIP_OK, "%s: parses (%s at %zu)", n, sip_err_str(m->err),
	    m->err_off);
	check_str(n, "Via host", m->via.host, "h1");
	check_num(n, "Via port", m->via.port, 5060);
	check_str(n, "Via branch", m->via.branch, "z9hG4bKx");
	check_str(n, "From tag", m->from.tag, "7");
	check_str(n, "Call-ID", m->call_id, "cid-2");
	check_num(n, "CSeq", m->cseq, 3);
	check_str(n, "CSeq method", m->cseq_method, "OPTIONS");
	check_str(n, "User-Agent keeps the fold", m->user_agent,
	    "Foo\r\n  Bar");
	check_num(n, "Max-Forwards", m->max_forwards, 69);
	check_num(n, "hdr_count counts logical lines", m->hdr_count, 8);
	msg_done(&p);
}

static void
test_display_names(void)
{
	static const struct {
		const char	*from;
		const char	*display;
		bool		 quoted, angle;
		const char	*uri, *tag, *params;
	} c[] = {
		{ "\"A \\\"q\\\" \\\\ B\" <sip:a@b>;tag=1", "A \\\"q\\\" \\\\ B",
		  true, true, "sip:a@b", "1", "tag=1" },
		{ "\"\" <sip:a@b>", "", true, true, "sip:a@b", NULL, NULL },
		{ "Alice  Smith <sips:a@b>;x=\"1;2\";tag=z", "Alice  Smith",
		  false, true, "sips:a@b", "z", "x=\"1;2\";tag=z" },
		{ "<sip:a@b;lr>;tag=2", NULL, false, true, "sip:a@b;lr", "2",
		  "tag=2" },
		{ "sip:a@b;tag=3", NULL, false, false, "sip:a@b", "3",
		  "tag=3" },
		{ "\"comma, inside\"<tel:+1234>", "comma, inside", true, true,
		  "tel:+1234", NULL, NULL },
		{ "tel:+1-555;tag=4", NULL, false, false, "tel:+1-555", "4",
		  "tag=4" },
		{ "x <urn:service:sos> ; TAG = 5 ", "x", false, true,
		  "urn:service:sos", "5", "TAG = 5" },
	};
	char in[512], name[64];
	struct parsed p;
	struct sip_msg *m = &p.m;
	size_t i;
	int len;

	for (i = 0; i < GG_NELEM(c); i++) {
		len = snprintf(in, sizeof(in), "OPTIONS sip:a@b SIP/2.0\r\n"
		    VIA "From: %s\r\n" TO CID "CSeq: 1 OPTIONS\r\n" END,
		    c[i].from);
		snprintf(name, sizeof(name), "display name %zu", i);
		msg_parse(&p, in, (size_t)len);
		T_OK(p.rc == SIP_OK, "%s: parses (%s)", name,
		    sip_err_str(m->err));
		check_str(name, "display", m->from.display, c[i].display);
		T_OK(m->from.display_quoted == c[i].quoted &&
		    m->from.angle == c[i].angle, "%s: quoted %d, angle %d",
		    name, c[i].quoted, c[i].angle);
		check_str(name, "URI", m->from.uri.raw, c[i].uri);
		check_str(name, "tag", m->from.tag, c[i].tag);
		check_str(name, "params", m->from.params, c[i].params);
		msg_done(&p);
	}
}

static void
test_ipv6_tel(void)
{
	static const char v6[] =
	    "INVITE sip:[2001:db8::1]:5061;transport=tcp SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP [2001:db8::2]:5062;branch=z9hG4bK1;"
	    "received=[2001:db8::3];rport=5062\r\n"
	    "From: <sip:u@[2001:db8::4]>;tag=1\r\n"
	    "To: sip:v@[::1]\r\n" CID CSEQ
	    "Contact: \"x\" <sips:u@[2001:db8::4]:5061;ob>;expires=60\r\n" END;
	static const char tel[] =
	    "INVITE tel:+1-201-555-0123;phone-context=example.com SIP/2.0\r\n"
	    VIA FROM "To: <tel:+12015550123>\r\n" CID CSEQ END;
	struct parsed p;
	struct sip_msg *m = &p.m;
	const char *n = "IPv6";

	msg_parse(&p, v6, sizeof(v6) - 1);
	T_OK(p.rc == SIP_OK, "%s: parses (%s)", n, sip_err_str(m->err));
	check_str(n, "R-URI host", m->ruri.host, "2001:db8::1");
	check_num(n, "R-URI port", m->ruri.port, 5061);
	check_str(n, "R-URI params", m->ruri.params, "transport=tcp");
	T_OK(m->ruri.host_is_ipv6 && !m->ruri.host_is_ipv4, "%s: IPv6", n);
	check_str(n, "Via host", m->via.host, "2001:db8::2");
	check_num(n, "Via port", m->via.port, 5062);
	check_str(n, "Via received", m->via.received, "[2001:db8::3]");
	check_str(n, "From host", m->from.uri.host, "2001:db8::4");
	check_str(n, "To host", m->to.uri.host, "::1");
	check_str(n, "Contact host", m->contact.uri.host, "2001:db8::4");
	check_num(n, "Contact port", m->contact.uri.port, 5061);
	check_str(n, "Contact params", m->contact.params, "expires=60");
	check_str(n, "Contact URI params", m->contact.uri.params, "ob");
	T_OK(m->contact.uri.scheme_id == SIP_SCHEME_SIPS, "%s: sips", n);
	msg_done(&p);

	n = "tel";
	msg_parse(&p, tel, sizeof(tel) - 1);
	T_OK(p.rc == SIP_OK, "%s: parses (%s)", n, sip_err_str(m->err));
	T_OK(m->ruri.scheme_id == SIP_SCHEME_TEL, "%s: scheme", n);
	check_str(n, "R-URI number", m->ruri.user, "+1-201-555-0123");
	check_str(n, "R-URI host", m->ruri.host, NULL);
	check_str(n, "R-URI params", m->ruri.params,
	    "phone-context=example.com");
	check_str(n, "To number", m->to.uri.user, "+12015550123");
	msg_done(&p);
}

static void
test_lists(void)
{
	static const char in[] = "REGISTER sip:example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1 , "
	    "SIP/2.0/TCP b;branch=\"x,y\"\r\n"
	    "Via: SIP/2.0/UDP c\r\n"
	    FROM TO CID "CSeq: 2 REGISTER\r\n"
	    "Contact: <sip:a@b>, \"x,y\" <sip:c@d>;q=0.5, sip:e@f\r\n"
	    "Contact: <sip:g@h;a=b,c>\r\n"
	    "Authorization: Digest username=\"bob\", realm=\"atlanta.com\",\r\n"
	    "  nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\",\r\n"
	    "  uri=\"sip:ss2.biloxi.com\", "
	    "response=\"dfe56131d1958046689d83306477ecc\"\r\n"
	    "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
	    "Expires: 3600\r\n"
	    END;
	static const char star[] = "REGISTER sip:example.com SIP/2.0\r\n"
	    HDRS "Contact: *\r\nExpires: 0\r\n" END;
	struct parsed p;
	struct sip_msg *m = &p.m;
	const char *n = "lists";

	msg_parse(&p, in, sizeof(in) - 1);
	T_OK(p.rc == SIP_OK, "%s: parses (%s at %zu)", n, sip_err_str(m->err),
	    m->err_off);
	check_num(n, "Via count", m->via_count, 3);
	check_str(n, "top Via", m->via.raw,
	    "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
	check_num(n, "Contact count", m->contact_count, 4);
	check_str(n, "first Contact", m->contact.raw, "<sip:a@b>");
	check_str(n, "auth scheme", m->auth.scheme, "Digest");
	check_str(n, "auth username", m->auth.username, "bob");
	check_str(n, "auth realm", m->auth.realm, "atlanta.com");
	check_str(n, "auth uri", m->auth.uri, "sip:ss2.biloxi.com");
	check_str(n, "auth response", m->auth.response,
	    "dfe56131d1958046689d83306477ecc");
	check_str(n, "proxy auth scheme", m->proxy_auth.scheme, "Basic");
	T_OK(m->proxy_auth.present && m->proxy_auth.username.len == 0,
	    "%s: proxy auth without username", n);
	check_num(n, "Expires", m->expires, 3600);
	msg_done(&p);

	n = "Contact *";
	msg_parse(&p, star, sizeof(star) - 1);
	T_OK(p.rc == SIP_EBADMSG && m->err == SIP_ERR_CSEQ_METHOD,
	    "%s: CSeq INVITE in a REGISTER is flagged", n);
	T_OK(m->contact.star && m->contact_count == 1, "%s: star", n);
	check_num(n, "Expires", m->expires, 0);
	msg_done(&p);
}

/* A stream carrying several messages: msg_len says where each ends. */
static void
test_several(void)
{
	static const char in[] = "OPTIONS sip:a@b SIP/2.0\r\n" VIA FROM TO CID
	    "CSeq: 1 OPTIONS\r\nContent-Length: 5\r\n\r\nhello"
	    "SIP/2.0 200 OK\r\n" VIA FROM TO CID "CSeq: 1 OPTIONS\r\n" END
	    "\r\n"
	    "BYE sip:a@b SIP/2.0\r\n" VIA FROM TO CID "CSeq: 2 BYE\r\n" END;
	static const int want[] = { SIP_METHOD_OPTIONS, 0, SIP_METHOD_BYE };
	struct sip_msg m;
	const char *g = t_guard_copy(in, sizeof(in) - 1), *p = g;
	size_t left = sizeof(in) - 1, i;
	enum sip_rc rc;

	for (i = 0; i < GG_NELEM(want); i++) {
		rc = sip_parse(&m, p, left);
		T_OK(rc == SIP_OK && m.method_id == (enum sip_method)want[i] &&
		    m.is_request == (want[i] != 0),
		    "several: message %zu parses (%s)", i,
		    sip_err_str(m.err));
		if (i == 0)
			check_str("several", "first body", m.body, "hello");
		if (rc != SIP_OK || m.msg_len > left)
			break;
		p += m.msg_len;
		left -= m.msg_len;
	}
	T_OK(left == 0, "several: all consumed (%zu left)", left);
	t_guard_free(g, sizeof(in) - 1);
}

/* Error offsets point at the offending byte. */
static void
test_err_off(void)
{
	static const struct {
		const char	*in;
		const char	*at;	/* the text at err_off */
	} c[] = {
		{ "INVITE sip:x SIP/3.0\r\n" HDRS END, "SIP/3.0" },
		{ "INVITE sip:a@b SIP/2.0\r\n" HDRS "CSeq: 2 INVITE\r\n" END,
		  "2 INVITE" },
		{ "INVITE sip:a@b SIP/2.0\r\n" VIA FROM TO CID
		  "CSeq: 1 BYE\r\n" END, "BYE" },
		{ "SIP/2.0 1000 x\r\n" HDRS END, "1000" },
	};
	struct parsed p;
	size_t i;

	for (i = 0; i < GG_NELEM(c); i++) {
		size_t n = strlen(c[i].at);

		msg_parse(&p, c[i].in, strlen(c[i].in));
		T_OK(p.rc == SIP_EBADMSG && p.m.err_off + n <= p.len &&
		    memcmp(p.buf + p.m.err_off, c[i].at, n) == 0,
		    "err_off %zu points at \"%s\"", i, c[i].at);
		msg_done(&p);
	}
}

/* True when s is empty or lies inside [b, b + len). */
static bool
in_buf(struct gg_str s, const char *b, size_t len)
{
	return s.len == 0 || (s.p >= b && s.len <= len &&
	    (size_t)(s.p - b) <= len - s.len);
}

static bool
uri_in_buf(const struct sip_uri *u, const char *b, size_t len)
{
	return in_buf(u->raw, b, len) && in_buf(u->scheme, b, len) &&
	    in_buf(u->user, b, len) && in_buf(u->password, b, len) &&
	    in_buf(u->host, b, len) && in_buf(u->params, b, len) &&
	    in_buf(u->headers, b, len);
}

static bool
na_in_buf(const struct sip_nameaddr *na, const char *b, size_t len)
{
	return in_buf(na->raw, b, len) && in_buf(na->display, b, len) &&
	    in_buf(na->tag, b, len) && in_buf(na->params, b, len) &&
	    uri_in_buf(&na->uri, b, len);
}

/* Every slice of m lies in the buffer, and msg_len does not pass it. */
static bool
msg_in_buf(const struct sip_msg *m, const char *b, size_t len)
{
	return m->msg_len <= len && in_buf(m->method, b, len) &&
	    in_buf(m->ruri_raw, b, len) && uri_in_buf(&m->ruri, b, len) &&
	    in_buf(m->reason, b, len) && in_buf(m->version, b, len) &&
	    in_buf(m->via.raw, b, len) && in_buf(m->via.host, b, len) &&
	    in_buf(m->via.branch, b, len) && in_buf(m->via.params, b, len) &&
	    in_buf(m->via.received, b, len) &&
	    in_buf(m->via.transport, b, len) &&
	    na_in_buf(&m->from, b, len) && na_in_buf(&m->to, b, len) &&
	    na_in_buf(&m->contact, b, len) && in_buf(m->call_id, b, len) &&
	    in_buf(m->cseq_method, b, len) && in_buf(m->user_agent, b, len) &&
	    in_buf(m->auth.username, b, len) &&
	    in_buf(m->auth.response, b, len) && in_buf(m->body, b, len) &&
	    (m->err == SIP_ERR_NONE || m->err_off <= len);
}

/*
 * Random byte flips, insertions of the characters the grammar cares about
 * and cuts, from a fixed seed: nothing may crash or point outside.
 */
static void
test_mutations(void)
{
	static const char special[] = "\r\n \t:;,=\"<>[]@?\\/%";
	uint32_t seed = 0x9e3779b9;
	size_t base = sizeof(sipvicious) - 1, i, bad = 0, len, k, peek_bad = 0;
	char buf[sizeof(sipvicious) + 8];
	struct sip_msg m;

	for (i = 0; i < 20000; i++) {
		memcpy(buf, sipvicious, base);
		len = base;
		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			size_t at = (seed >> 8) % len;
			seed = seed * 1103515245 + 12345;
			if (seed & 0x10000)
				buf[at] = special[(seed >> 17) %
				    (sizeof(special) - 1)];
			else
				buf[at] = (char)(seed >> 20);
		}
		seed = seed * 1103515245 + 12345;
		if (i & 1)
			len = (seed >> 8) % (len + 1);
		const char *g = t_guard_copy(buf, len);
		enum sip_rc rc = sip_parse(&m, g, len);
		if (rc > SIP_ENOTSIP || !msg_in_buf(&m, g, len))
			bad++;
		peek_bad += sip_peek_status(g, len) != m.status;
		t_guard_free(g, len);
	}
	T_OK(bad == 0, "20000 mutated messages stay in bounds (%zu bad)", bad);
	T_OK(peek_bad == 0, "20000 mutated messages: sip_peek_status agrees "
	    "with sip_parse (%zu differ)", peek_bad);
}

/*
 * sip_peek_status, which analyze uses to shard payloads by their peer
 * without parsing them, says what sip_parse leaves in msg->status.
 */
static void
test_peek_status(void)
{
	static const struct {
		const char	*in;
		int		 want;
	} cases[] = {
		{ "SIP/2.0 200 OK\r\nVia: x\r\n\r\n", 200 },
		{ "\r\n\r\nSIP/2.0 404 Not Found\r\n", 404 },
		{ "\n\nsip/2.0 180 Ringing\n", 180 },
		{ "SIP/2.0 200\r\n", 200 },
		{ "SIP/2.0 200\n", 200 },
		{ "SIP/3.0 486 Busy\r\n", 486 },	/* bad version */
		{ "SIP/2.0 200 OK", 0 },		/* line not ended */
		{ "SIP/2.0 200OK\r\n", 0 },
		{ "SIP/2.0 099 Low\r\n", 0 },
		{ "SIP/2.0 700 High\r\n", 0 },
		{ "SIP/2.0 2000 Long\r\n", 0 },
		{ "SIP/2.0  200 Two spaces\r\n", 0 },
		{ "SIP/\r\n", 0 },
		{ "SIP\r\n", 0 },
		{ "INVITE sip:100@192.0.2.1 SIP/2.0\r\n", 0 },
		{ "OPTIONS sip:SIP/2.0 200 SIP/2.0\r\n", 0 },
		{ "\r\n", 0 },
		{ "", 0 },
	};
	struct sip_msg m;
	size_t i, len;

	for (i = 0; i < GG_NELEM(cases); i++) {
		const char *g;

		len = strlen(cases[i].in);
		g = t_guard_copy(cases[i].in, len);
		sip_parse(&m, g, len);
		T_OK(sip_peek_status(g, len) == cases[i].want &&
		    m.status == cases[i].want, "peek status case %zu: %d "
		    "(sip_parse %d)", i, cases[i].want, m.status);
		t_guard_free(g, len);
	}
}

/*
 * True when h is a dotted quad of 1-3 digit numbers up to 255: the test's
 * own reading of RFC 3261's IPv4address, against which the parser's fast
 * paths (a table of dot patterns, SIMD masks) are checked.
 */
static bool
ipv4_ref(const char *h)
{
	unsigned parts = 0, digits, v;

	for (;;) {
		for (digits = 0, v = 0; *h >= '0' && *h <= '9'; h++, digits++)
			v = v * 10 + (unsigned)(*h - '0');
		if (digits == 0 || digits > 3 || v > 255)
			return false;
		parts++;
		if (*h == '\0')
			return parts == 4;
		if (*h != '.')
			return false;
		h++;
	}
}

/*
 * host_is_ipv4 and the host of From, To, Contact and the Request-URI for
 * hosts on both sides of IPv4 (octets at their limits, three and five
 * parts, empty parts, letters), in the shapes the name-addr fast path takes
 * (quoted display name and tag, port, addr-spec with params) and one it
 * does not (an unquoted display name). One line a shape: the unit test
 * missed a wrong IPv4 table that only the differential fuzzer caught.
 */
static void
test_ipv4_hosts(void)
{
	static const char *const octets[] = { "0", "9", "00", "10", "99",
	    "000", "100", "199", "200", "249", "250", "255", "256", "260",
	    "299", "300", "999", "0000", "1000" };
	static const char *const other[] = { "1.2.3", "1.2.3.4.5", "1..3.4",
	    ".1.2.3", "1.2.3.", "1.2.3.a", "a.2.3.4", "1.2.3.4a", "1-2.3.4.5",
	    "host.example.com", "1e2.3.4.5", "12345", "1.2.3.4.example",
	    "255.255.255.2555" };
	/* Per shape, what goes before and after the host in From, To and
	 * Contact. */
	static const char *const shapes[][6] = {
	    { "\"Alice\" <sip:a@", ">;tag=1", "<sip:b@", ">", "<sip:c@", ">" },
	    { "<sip:a@", ":5060>;tag=1", "\"B\" <sip:b@", ":5>", "<sip:c@",
	      ":65535;transport=udp>;expires=60" },
	    { "sip:a@", ";tag=1", "sip:b@", "", "sip:c@", "" },
	    { "Alice Smith <sip:a@", ">;tag=1", "B <sip:b@", ">", "C <sip:c@",
	      ">;q=0.5" },
	};
	char hosts[GG_NELEM(octets) * 4 + GG_NELEM(other)][24], msg[1024];
	char hdrs[512];
	size_t nh = 0, i, k;

	/* Each octet value in each of the four places, the others valid. */
	for (k = 0; k < 4; k++)
		for (i = 0; i < GG_NELEM(octets); i++)
			snprintf(hosts[nh++], sizeof(hosts[0]), "%s.%s.%s.%s",
			    k == 0 ? octets[i] : "192", k == 1 ? octets[i] :
			    "168", k == 2 ? octets[i] : "1", k == 3 ?
			    octets[i] : "10");
	for (i = 0; i < GG_NELEM(other); i++)
		snprintf(hosts[nh++], sizeof(hosts[0]), "%s", other[i]);
	for (k = 0; k < GG_NELEM(shapes); k++) {
		size_t bad = 0;
		char first[160] = "";

		for (i = 0; i < nh; i++) {
			const char *h = hosts[i];
			bool want = ipv4_ref(h);
			struct parsed p;
			const struct sip_uri *u[4];
			size_t j;
			int n;

			snprintf(hdrs, sizeof(hdrs), "From: %s%.23s%s\r\nTo: "
			    "%s%.23s%s\r\nContact: %s%.23s%s\r\n", shapes[k][0], h,
			    shapes[k][1], shapes[k][2], h, shapes[k][3],
			    shapes[k][4], h, shapes[k][5]);
			n = snprintf(msg, sizeof(msg), "INVITE sip:x@%.23s SIP/2.0"
			    "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
			    "%.400sCall-ID: 1\r\nCSeq: 1 INVITE\r\n"
			    "Content-Length: 0\r\n\r\n", h, hdrs);
			msg_parse(&p, msg, (size_t)n);
			u[0] = &p.m.ruri;
			u[1] = &p.m.from.uri;
			u[2] = &p.m.to.uri;
			u[3] = &p.m.contact.uri;
			for (j = 0; j < 4; j++) {
				/* A host the parser refused has no slice to
				 * compare; it must not be called IPv4. */
				bool same = p.rc == SIP_OK ?
				    gg_str_eq(u[j]->host, h) : true;

				if (u[j]->host_is_ipv4 == want && same)
					continue;
				if (bad++ == 0)
					snprintf(first, sizeof(first),
					    "%.23s in %s: host_is_ipv4 %d, want "
					    "%d, host %s", h, j == 0 ? "R-URI" :
					    j == 1 ? "From" : j == 2 ? "To" :
					    "Contact", u[j]->host_is_ipv4, want,
					    same ? "same" : "differs");
			}
			msg_done(&p);
		}
		T_OK(bad == 0, "IPv4 hosts, shape %zu: %zu hosts in 4 URIs "
		    "each, %zu wrong%s%s", k, nh, bad, bad ? ", first: " : "",
		    first);
	}
}

/*
 * The torture messages come from the shared corpus: without it, one clear
 * failure saying where it was looked for, not one per message.
 */
static bool
corpus_present(void)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/torture/rfc4475", corpus);
	if (access(path, R_OK) == 0)
		return true;
	T_OK(false, "the shared test corpus is not at %s: put it at "
	    "../shared/corpus beside the checkout (the tests run from its "
	    "top), or set GG_CORPUS=DIR (README, Tests)", corpus);
	return false;
}

int
main(void)
{
	corpus = getenv("GG_CORPUS");
	if (corpus == NULL || *corpus == '\0')
		corpus = "../shared/corpus";
	if (corpus_present()) {
		test_torture();
		test_torture_listed();
	}
	test_ucases();
	test_sipvicious();
	test_compact();
	test_folding();
	test_display_names();
	test_ipv6_tel();
	test_lists();
	test_several();
	test_err_off();
	test_mutations();
	test_peek_status();
	test_ipv4_hosts();
	return t_done();
}
