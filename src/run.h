/*
 * run.h - `ghostguard run`: the inline daemon on NFQUEUE.
 */
#ifndef RUN_H
#define RUN_H

/* Runs the run command; returns the process exit status. */
int	run_main(int argc, char **argv);

#endif /* RUN_H */
