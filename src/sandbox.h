/*
 * sandbox.h - the daemon's privileges, dropped in one place.
 *
 * After set-up (queues bound, rules installed, sockets open, files opened)
 * and before the first packet is read, sandbox_drop() leaves the daemon
 * with one capability, CAP_NET_ADMIN, which it keeps for its whole life
 * because the daemon still:
 *  - answers NFQUEUE and changes its queue (nfnetlink_queue config),
 *  - adds and removes elements of its nftables set or ipset (bans),
 *  - flushes a banned source's conntrack entries,
 *  - runs iptables-nft-restore / ipset at exit to remove its rules: these
 *    helpers inherit CAP_NET_ADMIN as an AMBIENT capability (ambient caps
 *    survive execve of an ordinary binary, also under no_new_privs).
 * Everything else goes: the other capabilities from the permitted,
 * effective, inheritable and ambient sets and (when CAP_SETPCAP allows it)
 * from the bounding set; and PR_SET_NO_NEW_PRIVS is set, so no setuid
 * binary or file capability can ever give any back. When user names an
 * account and the daemon runs as root, it becomes that user (its groups
 * from the group database, then gid, then uid, with PR_SET_KEEPCAPS so that
 * CAP_NET_ADMIN survives) and cannot become root again.
 *
 * user NULL, "" or "root": the daemon stays uid 0 but with CAP_NET_ADMIN
 * alone (uid 0 without capabilities still owns root's files: prefer a user).
 * Started without root but with CAP_NET_ADMIN (systemd User=ghostguard and
 * AmbientCapabilities=CAP_NET_ADMIN, see etc/ghostguard.service): user must
 * be that same account or NULL; the capability sets are reduced the same.
 *
 * Capabilities and no_new_privs belong to a thread: call sandbox_drop()
 * while the process has one thread (before starting the queue threads), so
 * that every thread created later inherits the reduced sets.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

/*
 * Drops privileges as above. Returns 0, or -1 with a message in err (errsz
 * bytes): the user does not exist (with the useradd command that creates
 * it), not root and another user was asked for, CAP_NET_ADMIN is not
 * permitted, a system call failed. On -1 the process may be half-way
 * (groups changed, uid not): the caller must exit.
 */
int	sandbox_drop(const char *user, char *err, size_t errsz);

/*
 * Describes the current privileges on one line, for `ghostguard ctl
 * status`: "uid 65534 (nobody) gid 65534 groups 65534; caps
 * cap_net_admin=eip; ambient cap_net_admin; bounding cap_net_admin;
 * no_new_privs 1". Returns 0, or -1 when buf (sz bytes) was too small or
 * the sets could not be read (buf then holds what could be said).
 */
int	sandbox_status(char *buf, size_t sz);

#endif /* SANDBOX_H */
