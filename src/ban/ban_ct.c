/*
 * ban_ct.c - deletes a banned source's conntrack entries (ctnetlink,
 * through libnetfilter_conntrack).
 *
 * The kernel filters the dump by family only (CTA_FILTER matches a tuple
 * exactly, never a prefix), so the entries are matched here: original
 * source in addr/plen, any zone. They are collected during the dump (no
 * query may run on the handle then) and deleted after it, at most
 * CT_BATCH per pass and CT_PASSES passes, so memory stays bounded however
 * many flows the source has. Without conntrack loaded in this namespace
 * there is nothing to delete and ctnetlink is not asked (which would load
 * it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "ban.h"
#include "../io/log.h"

#define CT_BATCH	65536	/* entries collected per dump */
#define CT_PASSES	16	/* dumps per call, at most */
#define CT_COUNT	"/proc/sys/net/netfilter/nf_conntrack_count"

struct ct_match {
	const struct gg_addr	*addr;
	uint8_t			 plen;
	struct nf_conntrack	**v;	/* matches to delete */
	size_t			 n;
	int			 full;	/* more than CT_BATCH matched */
};

/* Is conntrack loaded, with entries? 1, 0, or 1 when unknown. */
static int
ct_present(void)
{
	unsigned long n;
	FILE *f;
	int rc = 1;

	if ((f = fopen(CT_COUNT, "re")) == NULL)
		return errno == ENOENT ? 0 : 1;
	if (fscanf(f, "%lu", &n) == 1 && n == 0)
		rc = 0;
	fclose(f);
	return rc;
}

static int
ct_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	struct ct_match *m = arg;
	struct gg_addr src = { 0 };

	(void)type;
	src.family = m->addr->family;
	if (src.family == AF_INET && nfct_attr_is_set(ct,
	    ATTR_ORIG_IPV4_SRC) > 0)
		memcpy(src.a, nfct_get_attr(ct, ATTR_ORIG_IPV4_SRC), 4);
	else if (src.family == AF_INET6 && nfct_attr_is_set(ct,
	    ATTR_ORIG_IPV6_SRC) > 0)
		memcpy(src.a, nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC), 16);
	else
		return NFCT_CB_CONTINUE;
	if (!gg_addr_in(&src, m->addr, m->plen))
		return NFCT_CB_CONTINUE;
	if (m->n == CT_BATCH) {
		m->full = 1;
		return NFCT_CB_CONTINUE;
	}
	/* Kept: the library frees ct unless told it is stolen. */
	m->v[m->n++] = ct;
	return NFCT_CB_STOLEN;
}

int
ban_ct_flush(const struct gg_addr *addr, uint8_t plen)
{
	struct nfct_filter_dump *fd = NULL;
	struct nfct_handle *h = NULL;
	struct ct_match m = { addr, plen, NULL, 0, 0 };
	int deleted = 0, pass, rc = -1, saved;
	size_t i;

	if ((addr->family != AF_INET || plen > 32) &&
	    (addr->family != AF_INET6 || plen > 128)) {
		errno = EINVAL;
		return -1;
	}
	if (!ct_present())
		return 0;
	if ((m.v = calloc(CT_BATCH, sizeof(*m.v))) == NULL ||
	    (fd = nfct_filter_dump_create()) == NULL)
		goto out;
	nfct_filter_dump_set_attr_u8(fd, NFCT_FILTER_DUMP_L3NUM,
	    addr->family);
	if ((h = nfct_open(CONNTRACK, 0)) == NULL) {
		log_err("conntrack: cannot open ctnetlink: %s",
		    strerror(errno));
		goto out;
	}
	nfct_callback_register(h, NFCT_T_ALL, ct_cb, &m);
	for (pass = 0; pass < CT_PASSES; pass++) {
		m.n = 0;
		m.full = 0;
		if (nfct_query(h, NFCT_Q_DUMP_FILTER, fd) < 0) {
			/* No ctnetlink (EOPNOTSUPP...): nothing tracked. */
			if (errno == EOPNOTSUPP || errno == ENOENT ||
			    errno == EAFNOSUPPORT)
				rc = 0;
			else
				log_err("conntrack: dump: %s",
				    strerror(errno));
			goto out;
		}
		for (i = 0; i < m.n; i++) {
			/* ENOENT: it ended meanwhile. */
			if (nfct_query(h, NFCT_Q_DESTROY, m.v[i]) == 0)
				deleted++;
			else if (errno != ENOENT)
				log_debug("conntrack: delete: %s",
				    strerror(errno));
			nfct_destroy(m.v[i]);
		}
		m.n = 0;
		if (!m.full)
			break;
	}
	rc = deleted;
out:
	saved = errno;
	for (i = 0; i < m.n; i++)
		nfct_destroy(m.v[i]);
	if (h)
		nfct_close(h);
	if (fd)
		nfct_filter_dump_destroy(fd);
	free(m.v);
	errno = saved;
	return rc;
}
