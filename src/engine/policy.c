/*
 * policy.c - the owner's rules: deny list, trusted-only networks, no direct
 * IP calls. Trusted servers and the allow list never reach here.
 */
#include "engine.h"

enum policy_rule
policy_check(const struct gg_conf *conf, const struct net_pkt *pkt,
    const struct sip_msg *msg, const struct gg_addr *peer)
{
	if (conf_netlist_has(&conf->deny, peer))
		return POLICY_DENY;
	if (msg == NULL || !msg->is_request ||
	    msg->method_id != SIP_METHOD_INVITE)
		return POLICY_OK;
	/* "Accept SIP Trust Server Only", for a whole network of phones. */
	if (conf_netlist_has(&conf->trusted_only, &pkt->dst))
		return POLICY_TRUSTED_ONLY;
	/* "Allow IP Call" off: a call to sip:100@192.0.2.21 bypasses every
	 * proxy and registrar, and is how scanners make phones ring. */
	if (conf->no_ip_calls &&
	    (msg->ruri.host_is_ipv4 || msg->ruri.host_is_ipv6))
		return POLICY_IP_CALL;
	return POLICY_OK;
}

const char *
policy_rule_name(enum policy_rule r)
{
	switch (r) {
	case POLICY_OK:			return "ok";
	case POLICY_DENY:		return "deny-list";
	case POLICY_TRUSTED_ONLY:	return "trusted-only";
	case POLICY_IP_CALL:		return "no-ip-calls";
	}
	return "?";
}
