/*
 * main.c - the command line: run, analyze, check-config, version.
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "io/ctl.h"
#include "lib/gg.h"
#include "run.h"


static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ghostguard run [-c CONF] [--foreground] [--dry-run] "
	    "[--queue N]\n"
	    "                      [--queue-balance COUNT] [--verbose]\n"
	    "       ghostguard analyze [-c CONF] [--json] [--html OUT.html] "
	    "[-v]\n"
	    "                          [--max-sources N] [--threads 1|2] "
	    "FILE...\n"
	    "       ghostguard ctl [-s SOCKET] COMMAND [ARGS...]\n"
	    "       ghostguard check-config [-v] [-c CONF | CONF]\n"
	    "       ghostguard version\n"
	    "       ghostguard help\n"
	    "\n"
	    "run           the inline daemon: judges SIP packets on NFQUEUE "
	    "and drops\n"
	    "              scanners (needs root)\n"
	    "analyze       replay captures (pcap, pcapng) through the engine "
	    "and report\n"
	    "              who scanned, with which tool, and what "
	    "ghostguard would drop\n"
	    "ctl           ask the running daemon: status, bans, explain, "
	    "ban, unban,\n"
	    "              trust, untrust, reload, stats\n"
	    "check-config  check a configuration file as the daemon reads it; "
	    "-v prints\n"
	    "              its canonical form\n"
	    "version       print the version\n"
	    "\n"
	    "Each command's --help lists its options; see ghostguard(8) "
	    "and\nghostguard.conf(5).\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ctl"))
		return ctl_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "analyze"))
		return analyze_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check-config"))
		return check_config_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("ghostguard %s\n", GG_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "ghostguard: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
