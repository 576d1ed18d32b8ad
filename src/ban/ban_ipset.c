/*
 * ban_ipset.c - the ipset ban backend, through libipset's session API (no
 * text: the elements are set as data, and the session packs consecutive
 * adds or deletes on one set into as few netlink messages as fit).
 *
 * Sets: gg-ban4, gg-ban6 (hash:ip, family inet/inet6) for hosts and
 * gg-ban4net, gg-ban6net (hash:net) for prefixes, all with "timeout 0"
 * (per-element timeouts; 0 is none) and maxelem from max_bans. ipset has
 * no transactions: a batch is one session run, and replace() fills a
 * gg-*-new set per set and swaps it in (each swap atomic), then destroys
 * the old contents.
 *
 * nft cannot match an ipset, so the drop rules are xtables rules (through
 * iptables-nft, as the fallback queue rules in io/fw.c): chain
 * GHOSTGUARD-BAN of the raw table, jumped to from the head of PREROUTING,
 * so banned sources are dropped before conntrack like the nft backend's.
 * Installed idempotently at start and kept at exit: bans outlive the
 * daemon.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libipset/data.h>
#include <libipset/session.h>
#include <libipset/types.h>

#include "ban.h"
#include "../io/fw.h"
#include "../io/log.h"

#define BI_MAX_TIMEOUT	2147483u	/* seconds, the kernel's maximum */
#define BI_CHAIN	"GHOSTGUARD-BAN"

enum bi_set { BI_BAN4, BI_BAN6, BI_BAN4NET, BI_BAN6NET, BI_NSETS };

static const struct {
	const char	*name;
	const char	*tmp;		/* replace() fills it, then swaps */
	const char	*type;
	uint8_t		 family;
} bi_sets[BI_NSETS] = {
	{ "gg-ban4", "gg-ban4-new", "hash:ip", AF_INET },
	{ "gg-ban6", "gg-ban6-new", "hash:ip", AF_INET6 },
	{ "gg-ban4net", "gg-ban4net-new", "hash:net", AF_INET },
	{ "gg-ban6net", "gg-ban6net-new", "hash:net", AF_INET6 },
};

struct bi {
	struct ipset_session	*s;
	uint32_t		 maxelem;
	uint32_t		 lineno;	/* != 0: the session aggregates */
};

/* The session's list output is not wanted. */
static int
bi_out(struct ipset_session *s, void *p, const char *fmt, ...)
{
	(void)s;
	(void)p;
	(void)fmt;
	return 0;
}

/* Logs the session's error report (what: the command) and clears it. */
static void
bi_report(struct bi *bi, const char *what, const char *set)
{
	const char *m = ipset_session_report_msg(bi->s);

	log_err("ipset: %s %s: %s", what, set, m && *m ? m : "failed");
	ipset_session_report_reset(bi->s);
}

/* The set of an item, or -1 (bad item). */
static int
bi_set_of(const struct ban_item *it)
{
	if (it->addr.family == AF_INET && it->plen >= 1 && it->plen <= 32)
		return it->plen == 32 ? BI_BAN4 : BI_BAN4NET;
	if (it->addr.family == AF_INET6 && it->plen >= 1 && it->plen <= 128)
		return it->plen == 128 ? BI_BAN6 : BI_BAN6NET;
	return -1;
}

/* A command on one set name (and a second one for swap). */
static int
bi_cmd(struct bi *bi, enum ipset_cmd cmd, const char *set, const char *set2,
    int quiet)
{
	const char *what = cmd == IPSET_CMD_SWAP ? "swap" :
	    cmd == IPSET_CMD_DESTROY ? "destroy" : "flush";

	ipset_session_data_set(bi->s, IPSET_SETNAME, set);
	if (set2)
		ipset_session_data_set(bi->s, IPSET_OPT_SETNAME2, set2);
	if (ipset_cmd(bi->s, cmd, 0) < 0) {
		if (!quiet)
			bi_report(bi, what, set);
		ipset_session_report_reset(bi->s);
		errno = EIO;
		return -1;
	}
	ipset_session_report_reset(bi->s);
	return 0;
}

/* Creates set k under name (kept when it exists with the same type). */
static int
bi_create(struct bi *bi, enum bi_set k, const char *name)
{
	uint32_t timeout = 0;
	uint8_t family = bi_sets[k].family;

	ipset_session_data_set(bi->s, IPSET_SETNAME, name);
	ipset_session_data_set(bi->s, IPSET_OPT_TYPENAME, bi_sets[k].type);
	ipset_session_data_set(bi->s, IPSET_OPT_FAMILY, &family);
	if (ipset_type_get(bi->s, IPSET_CMD_CREATE) == NULL)
		goto out_err;
	ipset_session_data_set(bi->s, IPSET_OPT_TIMEOUT, &timeout);
	ipset_session_data_set(bi->s, IPSET_OPT_MAXELEM, &bi->maxelem);
	if (ipset_cmd(bi->s, IPSET_CMD_CREATE, 0) < 0)
		goto out_err;
	ipset_session_report_reset(bi->s);
	return 0;
out_err:
	bi_report(bi, "create", name);
	errno = EIO;
	return -1;
}

/*
 * Adds (add) or deletes the items of set k into the set called name, in
 * as few messages as fit; present (add: the timeout is renewed) or absent
 * (del) elements are no errors.
 */
static int
bi_adt(struct bi *bi, enum ipset_cmd cmd, enum bi_set k, const char *name,
    const struct ban_item *v, size_t n)
{
	union nf_inet_addr a;
	uint32_t timeout;
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++) {
		if (bi_set_of(&v[i]) != (int)k)
			continue;
		ipset_session_data_set(bi->s, IPSET_SETNAME, name);
		if (ipset_type_get(bi->s, cmd) == NULL)
			goto out_err;
		memset(&a, 0, sizeof(a));
		memcpy(&a, v[i].addr.a, k == BI_BAN4 || k == BI_BAN4NET ?
		    4 : 16);
		ipset_session_data_set(bi->s, IPSET_OPT_IP, &a);
		if (k == BI_BAN4NET || k == BI_BAN6NET)
			ipset_session_data_set(bi->s, IPSET_OPT_CIDR,
			    &v[i].plen);
		if (cmd == IPSET_CMD_ADD) {
			timeout = v[i].timeout_s > BI_MAX_TIMEOUT ?
			    BI_MAX_TIMEOUT : v[i].timeout_s;
			ipset_session_data_set(bi->s, IPSET_OPT_TIMEOUT,
			    &timeout);
		}
		if (++bi->lineno == 0)
			bi->lineno = 1;
		if (ipset_cmd(bi->s, cmd, bi->lineno) < 0)
			goto out_err;
		any = 1;
	}
	if (any && ipset_commit(bi->s) < 0)
		goto out_err;
	ipset_session_report_reset(bi->s);
	return 0;
out_err:
	bi_report(bi, cmd == IPSET_CMD_ADD ? "add to" : "del from", name);
	/* Drop what is still aggregated. */
	(void)ipset_commit(bi->s);
	ipset_session_report_reset(bi->s);
	errno = EIO;
	return -1;
}

static int
bi_check(const struct ban_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (bi_set_of(&v[i]) < 0) {
			log_err("ipset: bad ban element (family %u, /%u)",
			    v[i].addr.family, v[i].plen);
			errno = EINVAL;
			return -1;
		}
	return 0;
}

static int
ban_ipset_add(void *ctx, const struct ban_item *v, size_t n)
{
	struct bi *bi = ctx;
	int k, rc = 0;

	if (bi_check(v, n) < 0)
		return -1;
	for (k = 0; k < BI_NSETS; k++)
		if (bi_adt(bi, IPSET_CMD_ADD, (enum bi_set)k,
		    bi_sets[k].name, v, n) < 0)
			rc = -1;
	return rc;
}

static int
ban_ipset_del(void *ctx, const struct ban_item *v, size_t n)
{
	struct bi *bi = ctx;
	int k, rc = 0;

	if (bi_check(v, n) < 0)
		return -1;
	for (k = 0; k < BI_NSETS; k++)
		if (bi_adt(bi, IPSET_CMD_DEL, (enum bi_set)k,
		    bi_sets[k].name, v, n) < 0)
			rc = -1;
	return rc;
}

/*
 * Per set: a fresh gg-*-new (one left by a crash is destroyed first),
 * filled, swapped with the live set, then destroyed with the old contents.
 * A set whose fill fails is left as it was.
 */
static int
ban_ipset_replace(void *ctx, const struct ban_item *v, size_t n)
{
	struct bi *bi = ctx;
	int k, rc = 0;

	if (bi_check(v, n) < 0)
		return -1;
	for (k = 0; k < BI_NSETS; k++) {
		const char *tmp = bi_sets[k].tmp;

		(void)bi_cmd(bi, IPSET_CMD_DESTROY, tmp, NULL, 1);
		if (bi_create(bi, (enum bi_set)k, tmp) < 0 ||
		    bi_adt(bi, IPSET_CMD_ADD, (enum bi_set)k, tmp, v, n) < 0 ||
		    bi_cmd(bi, IPSET_CMD_SWAP, bi_sets[k].name, tmp, 0) < 0) {
			(void)bi_cmd(bi, IPSET_CMD_DESTROY, tmp, NULL, 1);
			rc = -1;
			continue;
		}
		if (bi_cmd(bi, IPSET_CMD_DESTROY, tmp, NULL, 0) < 0)
			rc = -1;
	}
	if (rc < 0)
		errno = EIO;
	return rc;
}

static void
ban_ipset_free(void *ctx)
{
	struct bi *bi = ctx;

	if (bi == NULL)
		return;
	if (bi->s)
		ipset_session_fini(bi->s);
	free(bi);
}

/* The drop rules: one xtables chain per family (see the top). */
static int
bi_rules(void)
{
	char r[512];
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		snprintf(r, sizeof(r),
		    "-A " BI_CHAIN " -m set --match-set %s src -j DROP\n"
		    "-A " BI_CHAIN " -m set --match-set %s src -j DROP\n",
		    bi_sets[v6 ? BI_BAN6 : BI_BAN4].name,
		    bi_sets[v6 ? BI_BAN6NET : BI_BAN4NET].name);
		if (fw_xt_chain(v6, "raw", "PREROUTING", BI_CHAIN, r) < 0) {
			log_err("ipset: cannot install the %s drop rules",
			    v6 ? "IPv6" : "IPv4");
			return -1;
		}
	}
	return 0;
}

int
ban_ipset_purge(void)
{
	struct bi bi = { NULL, 0, 0 };
	int k, t, n = 0;

	/* The rules first: a set a rule matches cannot be destroyed. */
	if (fw_xt_remove("raw", BI_CHAIN) < 0)
		return -1;
	ipset_load_types();
	if ((bi.s = ipset_session_init(bi_out, NULL)) == NULL) {
		log_err("ipset: cannot start a session");
		errno = EIO;
		return -1;
	}
	for (k = 0; k < BI_NSETS; k++)
		for (t = 0; t < 2; t++) {
			const char *name = t ? bi_sets[k].tmp :
			    bi_sets[k].name;

			/* Absent: both fail, quietly. Still matched by
			 * someone else's rule: emptied, kept. */
			if (bi_cmd(&bi, IPSET_CMD_DESTROY, name, NULL,
			    1) == 0 || bi_cmd(&bi, IPSET_CMD_FLUSH, name, NULL,
			    1) == 0)
				n++;
		}
	ipset_session_fini(bi.s);
	return n;
}

struct ban_backend *
ban_ipset_new(uint32_t max_bans)
{
	struct ban_backend *b;
	struct bi *bi;
	int k;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (bi = calloc(1, sizeof(*bi))) == NULL) {
		free(b);
		log_err("out of memory");
		return NULL;
	}
	b->name = "ipset";
	b->ctx = bi;
	b->add = ban_ipset_add;
	b->del = ban_ipset_del;
	b->replace = ban_ipset_replace;
	b->free = ban_ipset_free;
	bi->maxelem = max_bans ? max_bans : 65536;
	ipset_load_types();
	if ((bi->s = ipset_session_init(bi_out, NULL)) == NULL) {
		log_err("ipset: cannot start a session");
		goto out_free;
	}
	/* Add: present is no error (timeout renewed); del: absent. */
	ipset_envopt_set(bi->s, IPSET_ENV_EXIST);
	for (k = 0; k < BI_NSETS; k++) {
		if (bi_create(bi, (enum bi_set)k, bi_sets[k].name) == 0)
			continue;
		/* Other settings (maxelem): kept until replace() swaps a
		 * new set in. */
		ipset_session_data_set(bi->s, IPSET_SETNAME, bi_sets[k].name);
		if (ipset_type_get(bi->s, IPSET_CMD_ADD) == NULL) {
			ipset_session_report_reset(bi->s);
			goto out_free;
		}
		ipset_data_reset(ipset_session_data(bi->s));
		log_warn("ipset: keeping the existing set %s",
		    bi_sets[k].name);
	}
	if (bi_rules() < 0)
		goto out_free;
	return b;
out_free:
	ban_ipset_free(bi);
	free(b);
	errno = EIO;
	return NULL;
}
