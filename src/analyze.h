/*
 * analyze.h - `ghostguard analyze`: a capture through the inline path.
 */
#ifndef ANALYZE_H
#define ANALYZE_H

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

#endif /* ANALYZE_H */
