/* SPDX-License-Identifier: BSD-2-Clause */
/* The query parser and writer helpers of dns/wire.h. Every read is bounds-checked against
 * the packet length before it happens. */
#include "dns/wire.h"

#include <string.h>

void dns_put_bytes(dns_writer_t *w, const void *data, size_t len)
{
	if (w->len + len > w->cap) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

void dns_patch_u16(dns_writer_t *w, size_t pos, uint16_t v)
{
	if (pos + 2 <= w->len) {
		w->buf[pos] = (uint8_t)(v >> 8);
		w->buf[pos + 1] = (uint8_t)v;
	}
}

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* ASCII lower case of every byte value: one load per byte of the question name. */
static const uint8_t lower_table[256] = {
#define L1(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
#define L4(c) L1(c), L1(c + 1), L1(c + 2), L1(c + 3)
#define L16(c) L4(c), L4(c + 4), L4(c + 8), L4(c + 12)
#define L64(c) L16(c), L16(c + 16), L16(c + 32), L16(c + 48)
	L64(0),
	L64(64),
	L64(128),
	L64(192),
#undef L64
#undef L16
#undef L4
#undef L1
};

/* Parse the question name at pkt[*pos]. Compression is refused: the question is the first
 * name of a message, so a pointer there is either a loop or points forward (RFC 1035 §4.1.4
 * allows only prior occurrences). Returns false on any malformation. */
static bool parse_qname(const uint8_t *pkt, size_t len, size_t *pos, dns_query_t *q)
{
	size_t p = *pos;
	size_t out = 0;
	q->n_labels = 0;
	for (;;) {
		if (p >= len) {
			return false;
		}
		uint8_t l = pkt[p];
		if (l == 0) {
			break;
		}
		if ((l & 0xc0) != 0) {
			return false; /* pointer (0xc0) or extended label type (0x40, 0x80) */
		}
		if (p + 1 + l > len || out + 1 + l + 1 > DNS_NAME_MAX) {
			return false;
		}
		q->label_off[q->n_labels++] = (uint8_t)out;
		q->qname[out] = l;
		const uint8_t *in = pkt + p + 1;
		uint8_t *dst = q->qname + out + 1;
		for (size_t i = 0; i < l; i++) {
			dst[i] = lower_table[in[i]];
		}
		out += 1u + l;
		p += 1u + l;
	}
	q->qname[out++] = 0;
	q->qname_len = (uint16_t)out;
	*pos = p + 1;
	return true;
}

/* Skip a name in a resource record (other than the question), where compression is legal:
 * the name ends at a zero label or at its first pointer. */
static bool skip_name(const uint8_t *pkt, size_t len, size_t *pos, bool *is_root)
{
	size_t p = *pos;
	*is_root = p < len && pkt[p] == 0;
	for (size_t total = 0;;) {
		if (p >= len) {
			return false;
		}
		uint8_t l = pkt[p];
		if (l == 0) {
			p += 1;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			if (p + 2 > len) {
				return false;
			}
			p += 2;
			break;
		}
		if ((l & 0xc0) != 0) {
			return false;
		}
		total += 1u + l;
		if (total > DNS_NAME_MAX) {
			return false;
		}
		p += 1u + l;
	}
	*pos = p;
	return true;
}

/* RFC 6891 §6.1.1: at most one OPT, owner is the root. */
static bool parse_additional(const uint8_t *pkt, size_t len, size_t pos, unsigned arcount,
			     dns_query_t *q)
{
	for (unsigned i = 0; i < arcount; i++) {
		bool is_root = false;
		if (!skip_name(pkt, len, &pos, &is_root) || pos + 10 > len) {
			return false;
		}
		uint16_t type = dns_get_u16(pkt + pos);
		uint16_t rclass = dns_get_u16(pkt + pos + 2);
		uint8_t version = pkt[pos + 5];
		uint16_t rdlen = dns_get_u16(pkt + pos + 8);
		pos += 10;
		if (pos + rdlen > len) {
			return false;
		}
		if (type == DNS_TYPE_OPT) {
			if (q->has_edns || !is_root) {
				return false;
			}
			q->has_edns = true;
			q->edns_version = version;
			q->edns_udp_size = rclass < DNS_UDP_MIN ? DNS_UDP_MIN : rclass;
			/* options are ignored, but must be well-formed TLVs */
			size_t o = pos;
			while (o < pos + rdlen) {
				if (o + 4 > pos + rdlen) {
					return false;
				}
				uint16_t olen = dns_get_u16(pkt + o + 2);
				o += 4u + olen;
			}
			if (o != pos + rdlen) {
				return false;
			}
		}
		pos += rdlen;
	}
	return pos == len; /* junk after the last record is malformed */
}

enum dns_parse_result dns_query_parse(const uint8_t *pkt, size_t len, dns_query_t *q)
{
	q->has_question = false;
	q->has_edns = false;
	q->edns_version = 0;
	q->edns_udp_size = DNS_UDP_MIN;
	q->n_labels = 0;
	q->qname_len = 0;
	if (len < DNS_HEADER_LEN) {
		return DNS_PARSE_DROP;
	}
	q->id = dns_get_u16(pkt);
	q->flags = dns_get_u16(pkt + 2);
	q->opcode = (uint8_t)((q->flags >> 11) & 0xf);
	if (q->flags & DNS_FLAG_QR) {
		return DNS_PARSE_DROP;
	}
	unsigned qdcount = dns_get_u16(pkt + 4);
	unsigned ancount = dns_get_u16(pkt + 6);
	unsigned nscount = dns_get_u16(pkt + 8);
	unsigned arcount = dns_get_u16(pkt + 10);

	size_t pos = DNS_HEADER_LEN;
	if (qdcount == 1 && parse_qname(pkt, len, &pos, q) && pos + 4 <= len) {
		q->qtype = dns_get_u16(pkt + pos);
		q->qclass = dns_get_u16(pkt + pos + 2);
		pos += 4;
		q->has_question = true;
		q->question = pkt + DNS_HEADER_LEN;
		q->question_len = (uint16_t)(pos - DNS_HEADER_LEN);
	}
	if (q->opcode != DNS_OPCODE_QUERY) {
		return DNS_PARSE_NOTIMP;
	}
	if (!q->has_question || ancount != 0 || nscount != 0) {
		return DNS_PARSE_FORMERR;
	}
	if (!parse_additional(pkt, len, pos, arcount, q)) {
		return DNS_PARSE_FORMERR;
	}
	return DNS_PARSE_OK;
}

size_t dns_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX])
{
	size_t n = strlen(text);
	if (n == 1 && text[0] == '.') {
		out[0] = 0;
		return 1;
	}
	if (n > 0 && text[n - 1] == '.') {
		n--;
	}
	if (n == 0) {
		return 0;
	}
	size_t o = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && text[i] != '.') {
			continue;
		}
		size_t l = i - start;
		if (l == 0 || l > DNS_LABEL_MAX || o + 1 + l + 1 > DNS_NAME_MAX) {
			return 0;
		}
		out[o++] = (uint8_t)l;
		for (size_t k = start; k < i; k++) {
			out[o++] = lower((uint8_t)text[k]);
		}
		start = i + 1;
	}
	out[o++] = 0;
	return o;
}
