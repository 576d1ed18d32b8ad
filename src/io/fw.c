/*
 * fw.c - the nftables table (libnftables) and the xtables fallback
 * (iptables-nft-restore, exec'd at start and exit only).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "fw.h"
#include "log.h"

#define FW_TABLE	"inet ghostguard"
#define FW_CMDMAX	8192		/* one transaction's text */
#define FW_SAVEMAX	(4u << 20)	/* iptables-nft-save output we read */
#define FW_MULTIPORT	15		/* ports per xt multiport match */
#define FW_XT_PREFIX	"GHOSTGUARD-"	/* our xtables queue chains */

extern char **environ;

struct fw {
	struct nft_ctx	*nft;
	enum fw_mode	 mode;
	int		 v6;		/* xtables: the IPv6 rules are in */
};

/* A bounded text buffer; overflow is remembered, not silent. */
struct fw_buf {
	char	*p;
	size_t	 len, cap;
	int	 overflow;
};

static void
fw_printf(struct fw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fw_printf(struct fw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->overflow = 1;
	else
		b->len += (size_t)n;
}

/* The chains that queue, native or xtables, by hook. */
static const struct {
	const char *nft;	/* native chain (and hook) name */
	const char *xt;		/* xtables chain */
	const char *xt_hook;	/* xtables built-in chain jumping to it */
} fw_hooks[] = {
	{ "input", "GHOSTGUARD-IN", "INPUT" },
	{ "forward", "GHOSTGUARD-FWD", "FORWARD" },
	{ "output", "GHOSTGUARD-OUT", "OUTPUT" },
};
#define FW_NHOOKS	(sizeof(fw_hooks) / sizeof(fw_hooks[0]))

struct fw *
fw_new(void)
{
	struct fw *fw;

	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return NULL;
	if ((fw->nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		free(fw);
		return NULL;
	}
	nft_ctx_buffer_output(fw->nft);
	nft_ctx_buffer_error(fw->nft);
	return fw;
}

void
fw_free(struct fw *fw)
{
	if (fw == NULL)
		return;
	nft_ctx_free(fw->nft);
	free(fw);
}

enum fw_mode
fw_mode(const struct fw *fw)
{
	return fw->mode;
}

const char *
fw_mode_name(enum fw_mode m)
{
	switch (m) {
	case FW_NONE:		return "none";
	case FW_NFT:		return "nft queue";
	case FW_XTABLES:	return "xtables NFQUEUE (iptables-nft)";
	}
	return "?";
}

/* Logs each line of a tool's error output. */
static void
fw_log_lines(int prio, const char *who, const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (nl > p)
			log_msg(prio, "%s: %.*s", who, (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

/*
 * The native queue rules were refused, and the xtables ones come next: one
 * line says what was tried and what is used. A kernel without nft_queue,
 * the expected case, answers each queue rule with "Could not process rule:
 * No such file or directory": that is no error of the admin's, and
 * libnftables' text goes to debug only. Another refusal is shown, its first
 * "Error:" line, since the fallback may well fail the same way.
 */
static void
fw_log_fallback(const char *err)
{
	const char *e = strstr(err, "Error:"), *nl;

	fw_log_lines(LOG_DEBUG, "nft", err);
	if (strstr(err, "No such file or directory") != NULL) {
		log_notice("this kernel has no nft queue statement (nft_queue): "
		    "queueing with the xtables NFQUEUE target through "
		    "iptables-nft instead, the same rules");
		return;
	}
	if (e == NULL)
		e = "no message";
	nl = strchr(e, '\n');
	log_warn("the nft queue rules were refused (nft: %.*s); trying the "
	    "xtables NFQUEUE target through iptables-nft instead",
	    nl ? (int)(nl - e) : (int)strlen(e), e);
}

/*
 * Runs one nft transaction (every command in buf, all or nothing). On
 * failure the error text is copied to err.
 */
static int
fw_nft_run(struct fw *fw, const char *buf, char *err, size_t errsz)
{
	const char *e;
	int rc;

	log_debug("nft transaction:");
	fw_log_lines(LOG_DEBUG, "nft", buf);
	rc = nft_run_cmd_from_buffer(fw->nft, buf);
	e = nft_ctx_get_error_buffer(fw->nft);
	snprintf(err, errsz, "%s", e ? e : "");
	(void)nft_ctx_get_output_buffer(fw->nft);
	return rc == 0 ? 0 : -1;
}

/* The queue statement: one queue, or a range balanced by flow hash. */
static void
fw_queue_stmt(const struct fw_spec *s, char *out, size_t outsz, int xt)
{
	if (s->nqueues <= 1)
		snprintf(out, outsz, xt ? "--queue-num %u --queue-bypass" :
		    "queue num %u bypass", s->queue);
	else
		snprintf(out, outsz, xt ?
		    "--queue-balance %u:%u --queue-bypass" :
		    "queue num %u-%u bypass", s->queue,
		    s->queue + s->nqueues - 1);
}

/*
 * The ban sets and the chain dropping their sources (fw.h): hosts in
 * hash sets, prefixes in interval sets, all with per-element timeouts and
 * no size (a timeout hash set without one grows as needed, and a size
 * would preallocate its table). Idempotent: "add set" keeps the elements,
 * the chain is flushed and refilled. The counters show what the bans drop.
 */
static void
fw_ban_text(struct fw_buf *b)
{
	fw_printf(b, "add table " FW_TABLE "\n"
	    "add set " FW_TABLE " ban4 { type ipv4_addr; flags timeout; }\n"
	    "add set " FW_TABLE " ban6 { type ipv6_addr; flags timeout; }\n"
	    "add set " FW_TABLE " ban4net { type ipv4_addr; "
	    "flags interval,timeout; }\n"
	    "add set " FW_TABLE " ban6net { type ipv6_addr; "
	    "flags interval,timeout; }\n"
	    "add chain " FW_TABLE " prerouting { type filter hook prerouting "
	    "priority raw; policy accept; }\n"
	    "flush chain " FW_TABLE " prerouting\n"
	    "add rule " FW_TABLE " prerouting ip saddr @ban4 counter drop\n"
	    "add rule " FW_TABLE " prerouting ip saddr @ban4net counter drop\n"
	    "add rule " FW_TABLE " prerouting ip6 saddr @ban6 counter drop\n"
	    "add rule " FW_TABLE " prerouting ip6 saddr @ban6net counter "
	    "drop\n");
}

/* The ban sets' text, then extra, in one transaction; what: for the log. */
static int
fw_ban_run(const char *extra, const char *what)
{
	char buf[FW_CMDMAX], err[2048];
	struct fw_buf b = { buf, 0, sizeof(buf), 0 };
	struct fw *fw;
	int rc;

	if ((fw = fw_new()) == NULL) {
		log_err("out of memory");
		return -1;
	}
	fw_ban_text(&b);
	fw_printf(&b, "%s", extra);
	if ((rc = fw_nft_run(fw, buf, err, sizeof(err))) < 0) {
		fw_log_lines(LOG_ERR, "nft", err);
		log_err("cannot %s the ban sets of table %s", what, FW_TABLE);
		errno = EIO;
	}
	fw_free(fw);
	return rc;
}

int
fw_ban_install(void)
{
	return fw_ban_run("", "install");
}

int
fw_ban_flush(void)
{
	return fw_ban_run("flush set " FW_TABLE " ban4\n"
	    "flush set " FW_TABLE " ban6\n"
	    "flush set " FW_TABLE " ban4net\n"
	    "flush set " FW_TABLE " ban6net\n", "empty");
}

/* The transaction: table, sets, ban chain, and (native) queue chains. */
static void
fw_nft_text(struct fw_buf *b, const struct fw_spec *s, int native)
{
	char q[64];
	size_t i, k;

	fw_printf(b, "add table " FW_TABLE "\n"
	    "add set " FW_TABLE " ports { type inet_service; }\n"
	    "flush set " FW_TABLE " ports\n"
	    "add element " FW_TABLE " ports { ");
	for (i = 0; i < s->nports; i++)
		fw_printf(b, "%s%u", i ? ", " : "", s->ports[i]);
	fw_printf(b, " }\n");
	fw_ban_text(b);
	if (!native)
		return;
	fw_queue_stmt(s, q, sizeof(q), 0);
	for (k = 0; k < FW_NHOOKS; k++) {
		const char *c = fw_hooks[k].nft;

		fw_printf(b, "add chain " FW_TABLE " %s { type filter hook %s "
		    "priority mangle; policy accept; }\n"
		    "flush chain " FW_TABLE " %s\n"
		    "add rule " FW_TABLE " %s meta l4proto { tcp, udp } "
		    "th dport @ports %s\n"
		    "add rule " FW_TABLE " %s meta l4proto { tcp, udp } "
		    "th sport @ports %s\n", c, c, c, c, q, c, q);
	}
}

/*
 * Runs an iptables-nft tool (looked for in /usr/sbin, /sbin, then PATH)
 * with up to two arguments (arg2 may be NULL) and input on its stdin; its stdout (and, with merge, stderr) goes to
 * out (outsz bytes, NUL-terminated, cut when longer: *cut is set). Returns
 * its exit status, or -1 with errno when it could not run (ENOENT: not
 * installed).
 */
static int
fw_exec(const char *prog, const char *arg1, const char *arg2,
    const char *input, char *out, size_t outsz, int merge, int *cut)
{
	static const char *const dirs[] = { "/usr/sbin/", "/sbin/", "" };
	posix_spawn_file_actions_t fa;
	char path[256];
	char *argv[4];
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, rc = -1, st = 0, saved;
	size_t i, len = 0;
	ssize_t n;
	pid_t pid = -1;

	*cut = 0;
	out[0] = '\0';
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0)
		goto out_close;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, o[1], STDOUT_FILENO);
	if (merge)
		posix_spawn_file_actions_adddup2(&fa, o[1], STDERR_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		    "/dev/null", O_WRONLY, 0);
	argv[0] = (char *)(uintptr_t)prog;
	argv[1] = (char *)(uintptr_t)arg1;
	argv[2] = (char *)(uintptr_t)arg2;
	argv[3] = NULL;
	errno = ENOENT;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dirs[i], prog);
		errno = dirs[i][0] ? posix_spawn(&pid, path, &fa, NULL, argv,
		    environ) : posix_spawnp(&pid, path, &fa, NULL, argv,
		    environ);
		if (errno == 0)
			break;
		pid = -1;
	}
	saved = errno;
	posix_spawn_file_actions_destroy(&fa);
	if (pid < 0) {
		errno = saved;
		goto out_close;
	}
	close(in[0]);
	close(o[1]);
	in[0] = o[1] = -1;
	/* The input is small (a few rules): it fits in the pipe. */
	if (input && write(in[1], input, strlen(input)) < 0)
		log_debug("%s: writing its input: %s", prog, strerror(errno));
	close(in[1]);
	in[1] = -1;
	for (;;) {
		char sink[4096];

		if (len + 1 < outsz)
			n = read(o[0], out + len, outsz - 1 - len);
		else
			n = read(o[0], sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < outsz)
			len += (size_t)n;
		else
			*cut = 1;
	}
	out[len] = '\0';
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
out_close:
	saved = errno;
	for (i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (o[i] >= 0)
			close(o[i]);
	}
	errno = saved;
	return rc;
}

/* The tools of one family. */
static const char *
fw_xt_tool(int v6, int save)
{
	if (save)
		return v6 ? "ip6tables-nft-save" : "iptables-nft-save";
	return v6 ? "ip6tables-nft-restore" : "iptables-nft-restore";
}

/* Feeds a restore script to {ip,ip6}tables-nft-restore --noflush. */
static int
fw_xt_restore(int v6, const char *script)
{
	char out[2048];
	int rc, cut;

	log_debug("%s --noflush:", fw_xt_tool(v6, 0));
	fw_log_lines(LOG_DEBUG, fw_xt_tool(v6, 0), script);
	rc = fw_exec(fw_xt_tool(v6, 0), "--noflush", NULL, script, out,
	    sizeof(out), 1, &cut);
	if (rc < 0) {
		log_err("cannot run %s: %s%s", fw_xt_tool(v6, 0),
		    strerror(errno), errno == ENOENT ?
		    " (install the iptables package)" : "");
		return -1;
	}
	if (rc != 0) {
		fw_log_lines(LOG_ERR, fw_xt_tool(v6, 0), out);
		return -1;
	}
	return 0;
}

int
fw_xt_chain(int v6, const char *table, const char *hook, const char *chain,
    const char *rules)
{
	char buf[FW_CMDMAX], jump[128], *save, *line, *next;
	struct fw_buf sc = { buf, 0, sizeof(buf), 0 };
	int rc, cut, found = 0;

	if ((save = malloc(FW_SAVEMAX)) == NULL) {
		log_err("out of memory");
		return -1;
	}
	rc = fw_exec(fw_xt_tool(v6, 1), "-t", table, NULL, save, FW_SAVEMAX,
	    0, &cut);
	if (rc < 0) {
		log_err("cannot run %s: %s", fw_xt_tool(v6, 1),
		    strerror(errno));
		free(save);
		return -1;
	}
	/* Exit status != 0: no such table yet, so no jump either. */
	snprintf(jump, sizeof(jump), "-A %s -j %s", hook, chain);
	for (line = rc == 0 ? save : NULL; line && *line && !found;
	    line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		found = strcmp(line, jump) == 0;
	}
	free(save);
	/* Declaring an existing chain with --noflush flushes it. */
	fw_printf(&sc, "*%s\n:%s - [0:0]\n%s", table, chain, rules);
	if (!found)
		fw_printf(&sc, "-I %s 1 -j %s\n", hook, chain);
	fw_printf(&sc, "COMMIT\n");
	if (sc.overflow) {
		log_err("xtables rules too long");
		return -1;
	}
	return fw_xt_restore(v6, buf);
}

/*
 * Removes every chain of the family's `table` whose name starts with
 * `prefix`, and every jump to one, as iptables-nft-save lists them: one
 * atomic restore. 0 when none is left (or the tools are missing: nothing
 * of ours can be there), 1 when some were removed.
 */
static int
fw_xt_clean(int v6, const char *table, const char *prefix, int quiet)
{
	char head[64], target[64], decl[64];
	size_t hlen, dlen;
	struct fw_buf sc = { 0 };
	char *save, *line, *next;
	int rc, cut, found = 0;

	if ((save = malloc(FW_SAVEMAX)) == NULL ||
	    (sc.p = malloc(FW_SAVEMAX)) == NULL) {
		free(save);
		log_err("out of memory");
		return -1;
	}
	sc.cap = FW_SAVEMAX;
	hlen = (size_t)snprintf(head, sizeof(head), "-A %s", prefix);
	snprintf(target, sizeof(target), "-j %s", prefix);
	dlen = (size_t)snprintf(decl, sizeof(decl), ":%s", prefix);
	rc = fw_exec(fw_xt_tool(v6, 1), "-t", table, NULL, save,
	    FW_SAVEMAX, 0, &cut);
	if (rc < 0 || rc != 0) {
		/* No tool or no mangle table: nothing of ours there. */
		if (!quiet && rc < 0 && errno != ENOENT)
			log_warn("cannot run %s: %s", fw_xt_tool(v6, 1),
			    strerror(errno));
		rc = 0;
		goto out;
	}
	if (cut)
		log_warn("%s: output longer than %u bytes, read in part",
		    fw_xt_tool(v6, 1), FW_SAVEMAX);
	fw_printf(&sc, "*%s\n", table);
	/* Jumps first, then the chains' rules, then the chains. */
	for (line = save; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "-A ", 3) && strncmp(line, head, hlen) &&
		    strstr(line, target)) {
			fw_printf(&sc, "-D %s\n", line + 3);
			found = 1;
		}
		/* Restore each NUL back to '\n' for the next pass. */
		if (next)
			next[-1] = '\n';
	}
	for (line = save; line && *line; line = next) {
		next = strchr(line, '\n');
		if (!strncmp(line, decl, dlen)) {
			const char *sp = strchr(line, ' ');
			int n = sp ? (int)(sp - line - 1) : 0;

			if (n > 0 && (!next || sp < next)) {
				fw_printf(&sc, "-F %.*s\n-X %.*s\n", n,
				    line + 1, n, line + 1);
				found = 1;
			}
		}
		next = next ? next + 1 : NULL;
	}
	fw_printf(&sc, "COMMIT\n");
	rc = 0;
	if (found && !sc.overflow)
		rc = fw_xt_restore(v6, sc.p) < 0 ? -1 : 1;
	else if (sc.overflow)
		rc = -1;
out:
	free(save);
	free(sc.p);
	return rc;
}

int
fw_xt_remove(const char *table, const char *chain)
{
	int v6, rc, n = 0;

	for (v6 = 0; v6 < 2; v6++) {
		if ((rc = fw_xt_clean(v6, table, chain, 1)) < 0)
			return -1;
		n += rc;
	}
	return n;
}

/* The xtables queue rules of one family, in one atomic restore. */
static int
fw_xt_install(int v6, const struct fw_spec *s)
{
	static const char *const protos[] = { "udp", "tcp" };
	char q[64], buf[FW_CMDMAX], ports[FW_MULTIPORT * 6 + 1];
	struct fw_buf sc = { buf, 0, sizeof(buf), 0 };
	size_t k, p, i, j;

	fw_queue_stmt(s, q, sizeof(q), 1);
	fw_printf(&sc, "*mangle\n");
	for (k = 0; k < FW_NHOOKS; k++)
		fw_printf(&sc, ":%s - [0:0]\n", fw_hooks[k].xt);
	for (k = 0; k < FW_NHOOKS; k++) {
		/* --ports: source or destination port in the list. */
		for (i = 0; i < s->nports; i += FW_MULTIPORT) {
			size_t len = 0;

			for (j = i; j < s->nports && j < i + FW_MULTIPORT; j++)
				len += (size_t)snprintf(ports + len,
				    sizeof(ports) - len, "%s%u", j > i ? "," :
				    "", s->ports[j]);
			for (p = 0; p < 2; p++)
				fw_printf(&sc, "-A %s -p %s -m multiport "
				    "--ports %s -j NFQUEUE %s\n",
				    fw_hooks[k].xt, protos[p], ports, q);
		}
	}
	/* At the end: the host's mangle rules run first, as they would
	 * without us; an accept from the queue goes on to filter. */
	for (k = 0; k < FW_NHOOKS; k++)
		fw_printf(&sc, "-A %s -j %s\n", fw_hooks[k].xt_hook,
		    fw_hooks[k].xt);
	fw_printf(&sc, "COMMIT\n");
	if (sc.overflow) {
		log_err("xtables rules too long");
		return -1;
	}
	return fw_xt_restore(v6, buf);
}

int
fw_install(struct fw *fw, const struct fw_spec *s)
{
	char buf[FW_CMDMAX], err[2048];
	struct fw_buf b = { buf, 0, sizeof(buf), 0 };
	int v6;

	/* A killed daemon may have left xtables chains: never queue
	 * twice. Quiet: where iptables-nft is missing none can exist. */
	for (v6 = 0; v6 < 2; v6++)
		if (fw_xt_clean(v6, "mangle", FW_XT_PREFIX, 1) < 0)
			log_warn("stale %s GHOSTGUARD chains could not be "
			    "removed", v6 ? "IPv6" : "IPv4");
	fw_nft_text(&b, s, 1);
	if (b.overflow) {
		log_err("nft rules too long");
		return -1;
	}
	if (fw_nft_run(fw, buf, err, sizeof(err)) == 0) {
		fw->mode = FW_NFT;
		return 0;
	}
	/* The whole transaction failed: nothing of it is in. */
	fw_log_fallback(err);
	b.len = 0;
	fw_nft_text(&b, s, 0);
	if (fw_nft_run(fw, buf, err, sizeof(err)) < 0) {
		fw_log_lines(LOG_ERR, "nft", err);
		log_err("cannot install table %s", FW_TABLE);
		return -1;
	}
	if (fw_xt_install(0, s) < 0) {
		log_err("cannot install the xtables NFQUEUE rules");
		return -1;
	}
	fw->mode = FW_XTABLES;
	fw->v6 = fw_xt_install(1, s) == 0;
	if (!fw->v6)
		log_err("IPv6 queue rules could not be installed: IPv6 SIP "
		    "traffic is NOT inspected");
	return 0;
}

int
fw_remove(struct fw *fw)
{
	char buf[FW_CMDMAX], err[2048];
	struct fw_buf b = { buf, 0, sizeof(buf), 0 };
	size_t k;
	int rc = 0;

	switch (fw->mode) {
	case FW_NONE:
		return 0;
	case FW_NFT:
		for (k = 0; k < FW_NHOOKS; k++)
			fw_printf(&b, "flush chain " FW_TABLE " %s\n"
			    "delete chain " FW_TABLE " %s\n",
			    fw_hooks[k].nft, fw_hooks[k].nft);
		if (fw_nft_run(fw, buf, err, sizeof(err)) < 0) {
			fw_log_lines(LOG_ERR, "nft", err);
			rc = -1;
		}
		break;
	case FW_XTABLES:
		if (fw_xt_clean(0, "mangle", FW_XT_PREFIX, 0) < 0)
			rc = -1;
		if (fw_xt_clean(1, "mangle", FW_XT_PREFIX, 0) < 0)
			rc = -1;
		break;
	}
	if (rc == 0)
		fw->mode = FW_NONE;
	return rc;
}
