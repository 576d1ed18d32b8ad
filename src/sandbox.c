/*
 * sandbox.c - from root (or an unprivileged user with CAP_NET_ADMIN) to a
 * user with CAP_NET_ADMIN alone. See sandbox.h for what stays and why.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox.h"

/* The one capability kept; sandbox.h says what for. */
static const cap_value_t sandbox_keep[] = { CAP_NET_ADMIN };

/* Becomes pw: groups, gid, uid, keeping the permitted capabilities. */
static int
sandbox_setuser(const struct passwd *pw, char *err, size_t errsz)
{
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0) {
		snprintf(err, errsz, "cannot take the groups of user %s: %s",
		    pw->pw_name, strerror(errno));
		return -1;
	}
	/* Without KEEPCAPS, leaving uid 0 empties the permitted set. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		snprintf(err, errsz, "cannot become user %s: %s",
		    pw->pw_name, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errsz, "user %s could become root again",
		    pw->pw_name);
		return -1;
	}
	return 0;
}

/*
 * Empties the bounding set but for the kept capability. Needs CAP_SETPCAP
 * in the effective set; without it (not started as root) the set stays:
 * no_new_privs makes it unusable anyway (no setuid or file capabilities
 * are honoured on exec).
 */
static void
sandbox_bound(void)
{
	cap_value_t v;

	for (v = 0; v < cap_max_bits(); v++)
		if (v != CAP_NET_ADMIN && cap_get_bound(v) == 1 &&
		    cap_drop_bound(v) < 0 && errno == EPERM)
			return;
}

/* Leaves CAP_NET_ADMIN in P, E, I and ambient; nothing else. */
static int
sandbox_caps(char *err, size_t errsz)
{
	cap_flag_value_t have = CAP_CLEAR;
	cap_t caps;
	int rc = -1;

	if ((caps = cap_get_proc()) == NULL)
		goto out_err;
	cap_get_flag(caps, CAP_NET_ADMIN, CAP_PERMITTED, &have);
	if (have != CAP_SET) {
		snprintf(err, errsz, "CAP_NET_ADMIN is not permitted: run as "
		    "root, or with AmbientCapabilities=CAP_NET_ADMIN");
		goto out_free;
	}
	/* All permitted made effective: CAP_SETPCAP for the bounding set. */
	if (cap_fill(caps, CAP_EFFECTIVE, CAP_PERMITTED) < 0 ||
	    cap_set_proc(caps) < 0)
		goto out_err;
	sandbox_bound();
	if (cap_clear(caps) < 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, 1, sandbox_keep, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 1, sandbox_keep, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_INHERITABLE, 1, sandbox_keep,
	    CAP_SET) < 0 || cap_set_proc(caps) < 0)
		goto out_err;
	/* Ambient: the exit helpers (iptables-nft-restore, ipset) keep it. */
	if (cap_reset_ambient() < 0 ||
	    cap_set_ambient(CAP_NET_ADMIN, CAP_SET) < 0)
		goto out_err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto out_err;
	rc = 0;
	goto out_free;
out_err:
	snprintf(err, errsz, "cannot set the capabilities: %s",
	    strerror(errno));
out_free:
	if (caps)
		cap_free(caps);
	return rc;
}

int
sandbox_drop(const char *user, char *err, size_t errsz)
{
	struct passwd *pw = NULL;

	if (user && *user && strcmp(user, "root") != 0) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL) {
			snprintf(err, errsz, "user %s does not exist (create "
			    "it: useradd --system --no-create-home --shell "
			    "/usr/sbin/nologin %s)", user, user);
			return -1;
		}
		if (geteuid() != 0 && geteuid() != pw->pw_uid) {
			snprintf(err, errsz, "running as uid %u, not root: "
			    "cannot become user %s", (unsigned)geteuid(),
			    user);
			return -1;
		}
		if (geteuid() == 0 && pw->pw_uid != 0 &&
		    sandbox_setuser(pw, err, errsz) < 0)
			return -1;
	}
	return sandbox_caps(err, errsz);
}

/* Appends to buf; false once it no longer fits. */
static bool
sandbox_cat(char *buf, size_t sz, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool
sandbox_cat(char *buf, size_t sz, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= sz)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, sz - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz - *len) {
		*len = sz;
		return false;
	}
	*len += (size_t)n;
	return true;
}

/* The names of the capabilities in the ambient or bounding set. */
static bool
sandbox_cat_set(char *buf, size_t sz, size_t *len, const char *what,
    bool ambient)
{
	cap_value_t v;
	bool any = false, ok;
	char *name;

	ok = sandbox_cat(buf, sz, len, "; %s", what);
	for (v = 0; v < cap_max_bits(); v++) {
		if ((ambient ? cap_get_ambient(v) : cap_get_bound(v)) != 1)
			continue;
		name = cap_to_name(v);
		ok = sandbox_cat(buf, sz, len, "%s%s", any ? "," : " ",
		    name ? name : "?") && ok;
		cap_free(name);
		any = true;
	}
	if (!any)
		ok = sandbox_cat(buf, sz, len, " none") && ok;
	return ok;
}

int
sandbox_status(char *buf, size_t sz)
{
	gid_t groups[64];
	struct passwd *pw = getpwuid(geteuid());
	size_t len = 0;
	char *text = NULL;
	cap_t caps;
	bool ok;
	int n, i;

	if (sz == 0)
		return -1;
	buf[0] = '\0';
	ok = sandbox_cat(buf, sz, &len, "uid %u (%s) gid %u groups",
	    (unsigned)geteuid(), pw ? pw->pw_name : "?", (unsigned)getegid());
	n = getgroups((int)sizeof(groups) / sizeof(groups[0]), groups);
	for (i = 0; i < n; i++)
		ok = sandbox_cat(buf, sz, &len, "%s%u", i ? "," : " ",
		    (unsigned)groups[i]) && ok;
	if (n <= 0)
		ok = sandbox_cat(buf, sz, &len, " none") && ok;
	if ((caps = cap_get_proc()) == NULL ||
	    (text = cap_to_text(caps, NULL)) == NULL) {
		ok = false;
	} else {
		ok = sandbox_cat(buf, sz, &len, "; caps %s",
		    text[0] == '=' && text[1] == '\0' ? "none" : text) && ok;
	}
	cap_free(text);
	cap_free(caps);
	ok = sandbox_cat_set(buf, sz, &len, "ambient", true) && ok;
	ok = sandbox_cat_set(buf, sz, &len, "bounding", false) && ok;
	ok = sandbox_cat(buf, sz, &len, "; no_new_privs %d",
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)) && ok;
	return ok ? 0 : -1;
}
