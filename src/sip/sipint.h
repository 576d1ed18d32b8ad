/*
 * sipint.h - what the SIP parser's files (sip.c, uri.c) share and nobody
 * else may use: the URI and host parsers of sip.h with the end of the
 * readable buffer, so that their scans may load 16 bytes past a short slice
 * (scan.h).
 */
#ifndef SIP_INT_H
#define SIP_INT_H

#include "sip.h"

/*
 * sip_uri_parse() for a *uri the caller has zeroed; [s.p, lim) is readable
 * (lim >= s.p + s.len).
 */
int	sip_uri_parse_in(struct sip_uri *uri, struct gg_str s, const char *lim);

/* sip_host_parse() with [s.p, lim) readable (lim >= s.p + s.len). */
size_t	sip_host_parse_in(struct gg_str s, struct gg_str *host,
	    uint16_t *port, int *kind, const char *lim);

#endif /* SIP_INT_H */
