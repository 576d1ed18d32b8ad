/*
 * sip.h - zero-copy SIP message parser.
 *
 * sip_parse() reads one SIP request or response from the start of a buffer
 * and fills a struct sip_msg whose fields are slices into that buffer: nothing
 * is allocated and nothing is copied, so the message is valid only as long as
 * the buffer is. It extracts what matters for defence (DESIGN.md): the start
 * line, Via (top value, count), From, To, Contact (first value), Call-ID, CSeq,
 * User-Agent, Server, Max-Forwards, Content-Length, Expires, Authorization and
 * Proxy-Authorization (scheme and username), and the order in which headers
 * appeared. Header names are matched case-insensitively, compact forms are
 * understood, folded lines (RFC 3261 LWS) are accepted, comma lists are split
 * where the header allows several values, quoted display names may contain
 * escapes, URIs may be sip:, sips:, tel: or any other scheme, and hosts may be
 * IPv6 references in brackets.
 *
 * The parser never reads outside [buf, buf + len), whatever the input; it does
 * not need a NUL terminator. It is a pure function: no globals, no I/O.
 *
 * A malformed message still yields every field that could be read: callers
 * (the engine) use what they can of a bad message, and msg->err says why it
 * was rejected, with msg->err_off pointing at the offending byte.
 */
#ifndef SIP_H
#define SIP_H

#include "../lib/gg.h"

/* Return values of sip_parse() and sip_frame(). */
enum sip_rc {
	SIP_OK = 0,		/* a whole message was parsed */
	SIP_EPARTIAL,		/* header section (or body, for framing) not
				 * complete: more bytes are needed (stream) */
	SIP_EBADMSG,		/* malformed; msg->err says why */
	SIP_ENOTSIP		/* does not start like a SIP message at all */
};

/* Why a message is malformed (msg->err). */
enum sip_err {
	SIP_ERR_NONE = 0,
	SIP_ERR_START_LINE,	/* request/status line not of the form */
	SIP_ERR_METHOD,		/* method not a token */
	SIP_ERR_RURI,		/* Request-URI malformed (LWS, <>, bad IPv6) */
	SIP_ERR_VERSION,	/* not SIP/2.0 */
	SIP_ERR_STATUS,		/* status code not 100-699 */
	SIP_ERR_HEADER,		/* a header line without a name or ':' */
	SIP_ERR_HEADER_VALUE,	/* a known header's value does not parse */
	SIP_ERR_NO_END,		/* header section never ends (no empty line) */
	SIP_ERR_CONTENT_LENGTH,	/* Content-Length missing on a stream, not a
				 * number, negative, too big, or conflicting */
	SIP_ERR_BODY_SHORT,	/* fewer body bytes than Content-Length */
	SIP_ERR_CSEQ,		/* CSeq number overlarge or method missing */
	SIP_ERR_CSEQ_METHOD,	/* CSeq method differs from the request's */
	SIP_ERR_MISSING,	/* a mandatory header is missing (Via, From,
				 * To, Call-ID, CSeq) */
	SIP_ERR_DUPLICATE,	/* a single-valued header appears twice */
	SIP_ERR_QUOTE,		/* unterminated quoted string */
	SIP_ERR_DISPLAY_NAME,	/* unquoted display name with non-token chars */
	SIP_ERR_URI,		/* a URI in a header is malformed */
	SIP_ERR_VIA,		/* Via value malformed */
	SIP_ERR_TOO_MANY,	/* more header lines than SIP_MAX_HEADERS */
	SIP_ERR_MAX
};

enum sip_method {
	SIP_METHOD_UNKNOWN = 0,	/* a valid token we do not know */
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_REGISTER,
	SIP_METHOD_PRACK,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_PUBLISH,
	SIP_METHOD_INFO,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_UPDATE,
	SIP_METHOD_MAX
};

enum sip_scheme {
	SIP_SCHEME_OTHER = 0,	/* any other absoluteURI scheme */
	SIP_SCHEME_SIP,
	SIP_SCHEME_SIPS,
	SIP_SCHEME_TEL
};

/* Header identifiers, used for hdr_order and for sip_hdr_name(). */
enum sip_hdr {
	SIP_HDR_OTHER = 0,	/* any header we do not name */
	SIP_HDR_VIA,
	SIP_HDR_FROM,
	SIP_HDR_TO,
	SIP_HDR_CALL_ID,
	SIP_HDR_CSEQ,
	SIP_HDR_CONTACT,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_USER_AGENT,
	SIP_HDR_SERVER,
	SIP_HDR_EXPIRES,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_ACCEPT,
	SIP_HDR_ALLOW,
	SIP_HDR_SUPPORTED,
	SIP_HDR_ROUTE,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_SUBJECT,
	SIP_HDR_MAX
};

/*
 * A parsed URI. user, password, host, port, params and headers are slices of
 * raw; escapes (%41) are left as they are. For tel: URIs the number is in
 * user and host is empty. For unknown schemes only scheme and raw are set.
 */
struct sip_uri {
	struct gg_str	raw;		/* the whole URI, without <> */
	struct gg_str	scheme;		/* "sip", "sips", "tel", ... */
	enum sip_scheme	scheme_id;
	struct gg_str	user;		/* before '@' (and before ':' password) */
	struct gg_str	password;	/* after user ':' when present */
	struct gg_str	host;		/* host name or IP; IPv6 without [] */
	uint16_t	port;		/* 0 when absent */
	bool		host_is_ipv4;	/* host is an IPv4 literal */
	bool		host_is_ipv6;	/* host was a bracketed IPv6 reference */
	struct gg_str	params;		/* after the first ';' up to '?' or end,
					 * without the leading ';' */
	struct gg_str	headers;	/* after '?', without it */
};

/* From, To, Contact: name-addr or addr-spec with header parameters. */
struct sip_nameaddr {
	bool		present;	/* the header was there */
	struct gg_str	raw;		/* the whole value (first value for
					 * Contact), trimmed */
	struct gg_str	display;	/* display name, without quotes; escapes
					 * (\") left in place */
	bool		display_quoted;	/* display name was in "" */
	bool		angle;		/* URI was in <> */
	bool		star;		/* Contact: * */
	struct sip_uri	uri;
	struct gg_str	tag;		/* value of ;tag= (empty if none) */
	bool		has_tag;
	struct gg_str	params;		/* header params after the URI, without
					 * the leading ';' */
};

/* The topmost Via value. */
struct sip_via {
	bool		present;
	struct gg_str	raw;		/* the topmost value, trimmed */
	struct gg_str	protocol;	/* "SIP/2.0" */
	struct gg_str	transport;	/* "UDP", "TCP", ... */
	struct gg_str	host;		/* sent-by host; IPv6 without [] */
	uint16_t	port;		/* sent-by port, 0 if absent */
	struct gg_str	branch;		/* ;branch= value */
	bool		has_branch;
	struct gg_str	received;	/* ;received= value */
	bool		has_rport;	/* ;rport present (with or without value) */
	struct gg_str	params;		/* all params, without the leading ';' */
};

/* Authorization or Proxy-Authorization (the first one). */
struct sip_auth {
	bool		present;
	struct gg_str	raw;		/* whole value */
	struct gg_str	scheme;		/* "Digest", ... */
	struct gg_str	username;	/* username="..." without quotes */
	struct gg_str	realm;		/* realm="..." without quotes */
	struct gg_str	uri;		/* uri="..." without quotes */
	struct gg_str	response;	/* response="..." without quotes */
};

#define SIP_MAX_HEADERS		128	/* header lines per message; more is
					 * SIP_ERR_TOO_MANY */
#define SIP_ORDER_MAX		24	/* entries kept in hdr_order */

struct sip_msg {
	bool		is_request;

	/* Request line. */
	struct gg_str	method;		/* as written */
	enum sip_method	method_id;
	struct gg_str	ruri_raw;	/* Request-URI as written */
	struct sip_uri	ruri;

	/* Status line. */
	int		status;		/* 100..699, 0 for a request */
	struct gg_str	reason;		/* reason phrase, may be empty */

	struct gg_str	version;	/* "SIP/2.0" as written */

	/* Headers. Slices are trimmed of surrounding LWS; a folded value
	 * keeps its inner CRLF+WSP bytes. */
	struct sip_via	via;		/* topmost Via */
	unsigned	via_count;	/* Via values, over all Via lines */
	struct sip_nameaddr from, to;
	struct sip_nameaddr contact;	/* first Contact value */
	unsigned	contact_count;	/* Contact values, over all lines */
	struct gg_str	call_id;
	uint32_t	cseq;		/* CSeq number */
	struct gg_str	cseq_method;	/* CSeq method as written */
	enum sip_method	cseq_method_id;
	struct gg_str	user_agent;
	struct gg_str	server;
	int		max_forwards;	/* -1 when absent */
	long long	content_length;	/* -1 when absent */
	struct gg_str	content_type;
	long long	expires;	/* -1 when absent or unparsable */
	struct sip_auth	auth;		/* Authorization */
	struct sip_auth	proxy_auth;	/* Proxy-Authorization */
	struct gg_str	subject;

	/* Shape of the header section, for fingerprints. */
	uint8_t		hdr_order[SIP_ORDER_MAX]; /* enum sip_hdr of the first
					 * header lines, in order */
	unsigned	hdr_count;	/* header lines in the message */
	unsigned	other_count;	/* lines with a name we do not know */
	bool		compact;	/* some header used a compact form */
	bool		lf_only;	/* lines end in bare LF, not CRLF */

	struct gg_str	body;		/* after the empty line; its length is
					 * Content-Length if present and
					 * satisfiable, else the rest. When
					 * the header section does not end
					 * (SIP_EPARTIAL): empty, at the end
					 * of buf, after the header lines */
	size_t		msg_len;	/* bytes of this message (start line to
					 * end of body): the next message, on a
					 * stream, starts here */

	enum sip_err	err;		/* why SIP_EBADMSG */
	size_t		err_off;	/* offset of the offending byte */
};

/*
 * Parses the message at the start of buf. On SIP_OK every field is set and
 * msg->msg_len says where it ends; trailing bytes in a datagram are ignored
 * (RFC 3261 18.3). On SIP_EBADMSG the fields that could be read are set and
 * msg->err says why. On SIP_EPARTIAL the header section is incomplete. On
 * SIP_ENOTSIP the first line is not a SIP request or status line. msg is
 * fully overwritten in every case. Never reads outside buf.
 */
enum sip_rc	sip_parse(struct sip_msg *msg, const char *buf, size_t len);

/*
 * Framing for stream transports (TCP): tells how long the message at the
 * start of buf is. Leading CRLF keep-alives are counted in *skip (bytes to
 * drop before the message). Returns SIP_OK with *msg_len set when the whole
 * message (headers and Content-Length body) is in buf, SIP_EPARTIAL when more
 * is needed, SIP_EBADMSG when the framing cannot be recovered (no or bad
 * Content-Length, header section over 64 KiB), SIP_ENOTSIP when the bytes do
 * not start a SIP message.
 */
enum sip_rc	sip_frame(const char *buf, size_t len, size_t *skip,
		    size_t *msg_len);

/*
 * The status code sip_parse() would leave in msg->status for buf: 100-699
 * when buf's first line (after leading CRLFs) is a complete status line with
 * a valid code, 0 otherwise (a request, garbage, a first line without its
 * LF). Cheap: reads the first line only. The two share their code, so they
 * always agree; whether the whole message is well formed is sip_parse's to
 * say.
 */
int		sip_peek_status(const char *buf, size_t len);

/*
 * True when buf starts like a SIP request line ("TOKEN SP ... SIP/2.0") or a
 * status line ("SIP/2.0 NNN"). Cheap: reads at most the first line.
 */
bool		sip_looks_like(const char *buf, size_t len);

/* The long name of compact header form c ('v': "Via", RFC 3261 7.3.3 and
 * the IANA registry, either case), or NULL. */
const char	*sip_compact_name(char c);

/* Name of a method id ("INVITE"), of a header id ("Via"), of an error. */
const char	*sip_method_name(enum sip_method m);
const char	*sip_hdr_name(enum sip_hdr h);
const char	*sip_err_str(enum sip_err e);

/*
 * Parses a URI slice (no <>) into *uri. Returns 0, or -1 when it is not a
 * URI (the fields that could be read are still set).
 */
int		sip_uri_parse(struct sip_uri *uri, struct gg_str s);

/*
 * Parses host [":" port] at the start of s: a host name, an IPv4 literal or
 * a bracketed IPv6 reference (returned without the brackets; RFC 5118's
 * three-colon form is tolerated). Returns the number of bytes read, stopping
 * at the first byte that cannot continue it, or 0 when s does not start with
 * a host or the port is not 1-5 digits up to 65535. *kind is 4 for an IPv4
 * literal, 6 for an IPv6 reference, 0 for a name; *port is 0 when absent.
 */
size_t		sip_host_parse(struct gg_str s, struct gg_str *host,
		    uint16_t *port, int *kind);

#endif /* SIP_H */
