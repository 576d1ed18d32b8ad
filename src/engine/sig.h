/*
 * sig.h - first-packet fingerprints of scanning tools.
 *
 * Signatures live in a data file (data/signatures.conf) that anyone can read
 * and extend. A signature is a block:
 *
 *	signature svmap-defaults
 *		tool		sipvicious
 *		confidence	90
 *		kind		tool
 *		evidence	"Via sent-by 127.0.0.1 and From host 1.1.1.1"
 *		match		via.host is "127.0.0.1"
 *		match		from.host is "1.1.1.1"
 *
 * Every 'match' must hold for the signature to match. A match line is
 * FIELD OP [ARGUMENT]; fields name parts of a parsed struct sip_msg (see
 * sig_field_names in sig.c: method, ruri.user, from.tag, via.branch,
 * call-id, user-agent, order, ...), or any header by name: header.NAME is
 * the value of the first NAME line (either form of a name that has a
 * compact one: header.via finds "v:" lines too, header.v "Via:" lines),
 * line.NAME the whole raw line (spacing included; the name as written).
 * Both read the header lines of a message whose header section never
 * ends, too. Operators are is, contains, prefix, suffix (case-insensitive
 * strings), exact (case-sensitive equality), shape (a pattern that must
 * match the whole field: D digit, H hex digit, L lower-case, U upper-case,
 * A letter, X letter or digit, W letter, digit or '_', '.' any byte, [set]
 * a bracket set such as [36] or [0-9a-z] or [^;], each optionally followed
 * by {n}, {n,m}, '+' or '*'; '\' escapes a literal; other characters are
 * literals), present, absent, eq, lt, gt (numbers), and same FIELD2 (equal
 * to another field) and in FIELD2 (occurs inside another field). For
 * 'order' the argument is a comma-separated list of header names which the
 * message's header lines must begin with (is: exactly these lines).
 *
 * kind is one of tool, sdk, spoofed-legit, generic: a signature of a kind
 * other than tool names a tool only as supporting evidence; the engine lets
 * it alone convict a source when its confidence reaches the configured
 * minimum.
 *
 * Matching is pure and allocates nothing; it costs one pass over the
 * conditions of each signature, and a shape costs linear time in the field.
 */
#ifndef SIG_H
#define SIG_H

#include <stdio.h>

#include "../sip/sip.h"

enum sig_kind {
	SIG_KIND_TOOL = 0,	/* a scanning tool's own default */
	SIG_KIND_SDK,		/* a VoIP SDK default that scanners reuse */
	SIG_KIND_SPOOFED,	/* a real product's string that scanners copy */
	SIG_KIND_GENERIC	/* a broad substring */
};

struct sig_cond;

/* One signature. */
struct sig {
	char		*name;		/* unique name */
	char		*tool;		/* the tool it identifies */
	char		*evidence;	/* what it means, for people */
	unsigned	 confidence;	/* 0-100 */
	enum sig_kind	 kind;
	unsigned	 line;		/* where it starts in its file */
	struct sig_cond	*conds;		/* the match lines */
	size_t		 nconds;
	bool		 requests_only;	/* every field used is a request's */
	int		 fp_field;	/* field of its fast pattern (see
					 * sigset_match), -1: none */
};

struct sig_index;

/* A loaded signature file. */
struct sigset {
	struct sig	*v;
	size_t		 n;
	struct sig_index *index;	/* fast patterns, built at load */
};

/*
 * Parses a signature file held in buf (name is used in messages) into *s,
 * which must be zeroed. Errors are written to errs as "name:line: message";
 * returns the number of errors. Signatures with errors are left out.
 */
int		 sigset_load(struct sigset *s, const char *name,
		    const char *buf, size_t len, FILE *errs);
/* Loads from a file; same contract. */
int		 sigset_load_file(struct sigset *s, const char *path,
		    FILE *errs);
void		 sigset_free(struct sigset *s);

/*
 * Returns the matching signature with the highest confidence (ties: the one
 * earlier in the file), or NULL. Like an IDS, it does not try every
 * signature: each signature has one literal that any match must contain
 * (its fast pattern). Literals at the start of a field ('is', 'exact',
 * 'prefix', a shape's fixed bytes, an order's first two headers) are
 * found by one look-up of the field's first two bytes, 'contains' literals
 * by one pass of an Aho-Corasick automaton over the field (header.NAME
 * and line.NAME are not indexed); only the signatures whose
 * literal occurs (and the few without one) are evaluated in full, and a
 * condition several signatures share is evaluated once per message.
 */
const struct sig *sigset_match(const struct sigset *s,
		    const struct sip_msg *m);

/* True when sig matches m. */
bool		 sig_match(const struct sig *sig, const struct sip_msg *m);

/* True when the shape pattern pat matches all of s. */
bool		 sig_shape_match(const char *pat, struct gg_str s);

const char	*sig_kind_name(enum sig_kind k);

/* The built-in signature file (data/signatures.conf, compiled in). */
extern const char	sig_builtin[];
extern const size_t	sig_builtin_len;

#endif /* SIG_H */
