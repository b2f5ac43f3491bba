/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS wire format (RFC 1035, RFC 6891): query parsing and a bounded writer for answers.
 * Pure: no I/O, no allocation. The query parser is strict, because every byte it reads came
 * from the network: any doubt is FORMERR, never a crash. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12u
#define DNS_NAME_MAX 255u /* RFC 1035 §3.1: wire length of a name, including the root */
#define DNS_LABEL_MAX 63u
#define DNS_LABELS_MAX 128u /* a 255-byte name has at most 127 labels plus the root */
#define DNS_UDP_MIN 512u    /* RFC 1035 §4.2.1 */
#define DNS_MSG_MAX 65535u

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16, /* extended: needs OPT (RFC 6891 §9) */
	DNS_RCODE_COUNT = 17,
};

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_ANY = 255,
};

enum dns_class {
	DNS_CLASS_IN = 1,
	DNS_CLASS_ANY = 255,
};

enum dns_opcode {
	DNS_OPCODE_QUERY = 0,
	DNS_OPCODE_NOTIFY = 4,
};

/* Header flag bits as they sit in the 16-bit flags word. */
#define DNS_FLAG_QR 0x8000u
#define DNS_FLAG_AA 0x0400u
#define DNS_FLAG_TC 0x0200u
#define DNS_FLAG_RD 0x0100u
#define DNS_FLAG_RA 0x0080u
#define DNS_FLAG_CD 0x0010u

/* What the parser decided about a packet. */
enum dns_parse_result {
	DNS_PARSE_OK = 0,  /* a well-formed query */
	DNS_PARSE_DROP,	   /* not worth an answer: shorter than a header, or a response (QR=1) */
	DNS_PARSE_FORMERR, /* malformed: answer FORMERR (with the question if has_question) */
	DNS_PARSE_NOTIMP,  /* opcode other than QUERY: answer NOTIMP */
};

/* A parsed query. Points into the packet it was parsed from (borrowed). */
typedef struct {
	uint16_t id;
	uint16_t flags; /* as received */
	uint8_t opcode;

	bool has_question;	 /* the question parsed (even if the packet is FORMERR later) */
	const uint8_t *question; /* the question as received: name, type, class */
	uint16_t question_len;
	uint8_t qname[DNS_NAME_MAX];	   /* the name in wire form, lower-cased */
	uint16_t qname_len;		   /* bytes in qname, including the root label */
	uint8_t label_off[DNS_LABELS_MAX]; /* offset of each label in qname, root excluded */
	uint8_t n_labels;		   /* labels before the root */
	uint16_t qtype;
	uint16_t qclass;

	bool has_edns;
	uint8_t edns_version;
	uint16_t edns_udp_size; /* the client's, at least DNS_UDP_MIN */
} dns_query_t;

/* Parse the query in pkt[0..len). Always fills q as far as it got. */
enum dns_parse_result dns_query_parse(const uint8_t *pkt, size_t len, dns_query_t *q);

/* Convert a presentation name ("bl.example.org", optional final dot) to lower-case wire form.
 * Returns the wire length, or 0 when the name is invalid (empty label, label > 63, > 255). */
size_t dns_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX]);

/* A bounded writer over caller storage: writes past cap set overflow and are dropped. */
typedef struct {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
} dns_writer_t;

static inline void dns_writer_init(dns_writer_t *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

static inline void dns_put_u8(dns_writer_t *w, uint8_t v)
{
	if (w->len + 1 > w->cap) {
		w->overflow = true;
		return;
	}
	w->buf[w->len++] = v;
}

static inline void dns_put_u16(dns_writer_t *w, uint16_t v)
{
	if (w->len + 2 > w->cap) {
		w->overflow = true;
		return;
	}
	w->buf[w->len] = (uint8_t)(v >> 8);
	w->buf[w->len + 1] = (uint8_t)v;
	w->len += 2;
}

static inline void dns_put_u32(dns_writer_t *w, uint32_t v)
{
	dns_put_u16(w, (uint16_t)(v >> 16));
	dns_put_u16(w, (uint16_t)v);
}

void dns_put_bytes(dns_writer_t *w, const void *data, size_t len);

/* Patch a u16 at an earlier position (for RDLENGTH and counts). */
void dns_patch_u16(dns_writer_t *w, size_t pos, uint16_t v);

static inline uint16_t dns_get_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}
