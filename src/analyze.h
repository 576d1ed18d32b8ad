/*
 * analyze.h - `ghostguard analyze`: a capture through the inline path.
 */
#ifndef ANALYZE_H
#define ANALYZE_H

#include <stdbool.h>
#include <stdio.h>

#include "sip/sip.h"

/* Runs the analyze command; returns the process exit status. */
int	analyze_main(int argc, char **argv);

/* Runs the check-config command; returns the process exit status. */
int	check_config_main(int argc, char **argv);

/*
 * Loads the configuration (path may be NULL: defaults) and its signatures
 * into *conf and *sigs, reporting errors as file:line on stderr. Returns the
 * number of errors.
 */
struct gg_conf;
struct sigset;
int	load_conf_and_sigs(const char *path, struct gg_conf *conf,
	    struct sigset *sigs);

/*
 * Same, with the errors written to errf (the daemon logs them); with
 * host_checks (the daemon, check-config) the user and control group must
 * exist on this host too.
 */
int	load_conf_and_sigs_to(const char *path, struct gg_conf *conf,
	    struct sigset *sigs, FILE *errf, bool host_checks);

/*
 * Reads the number arg of command-line option opt of command cmd, from lo
 * to hi, into *out; or says on stderr why not ("ghostguard analyze:
 * --threads: 'x' is not a number from 1 to 2") and returns -1, for the
 * caller to exit 2.
 */
int	opt_num(const char *cmd, const char *opt, const char *arg,
	    unsigned long lo, unsigned long hi, unsigned long *out);

/*
 * Parses one decoded payload the way analyze and the daemon both do: a
 * snaplen-truncated datagram is judged on what arrived, a partial message
 * that does not look like SIP is SIP_ENOTSIP, one whose header section never
 * ends is SIP_EBADMSG (SIP_ERR_NO_END).
 */
struct net_pkt;
struct sip_msg;
enum sip_rc analyze_parse_payload(struct sip_msg *m,
	    const struct net_pkt *pkt);

#endif /* ANALYZE_H */
