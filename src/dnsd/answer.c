/* SPDX-License-Identifier: BSD-2-Clause */
/* Answers for the list zone.
 *
 * DESIGN
 * A query name below the apex is read as an address: four decimal labels are IPv4
 * (RFC 5782 §2.1, d.c.b.a), 32 single-hex-digit labels are IPv6 (§2.4, nibbles reversed);
 * IPv4-mapped IPv6 names are answered from the IPv4 data. Shorter names made of the same
 * labels are prefixes: they exist (NOERROR, no data) when a listed address lies below them,
 * so a resolver that minimises query names (RFC 9156) or trusts NXDOMAIN cuts (RFC 8020)
 * never loses a listing. Everything else in the zone is NXDOMAIN with the SOA (RFC 2308).
 * The answer is written once against the size limit; if it overflows, it is rewritten as a
 * truncated answer (TC=1, question only), which the client retries over TCP. */
#include "dnsd/answer.h"

#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/ipaddr.h"

#define TESTPOINT_LISTED 0x7f000002u	 /* 127.0.0.2, RFC 5782 §5 */
#define TESTPOINT_NOT_LISTED 0x7f000001u /* 127.0.0.1 */
#define OPT_RR_LEN 11u

static int name_param(const char *text, uint8_t out[DNS_NAME_MAX], uint16_t *len, const char *what,
		      char *err, size_t err_len)
{
	size_t n = dns_name_from_text(text, out);
	if (n == 0) {
		snprintf(err, err_len, "%s '%s' is not a valid domain name", what, text);
		return IPBL_EINVAL;
	}
	*len = (uint16_t)n;
	return 0;
}

/* A configured name, cut at the apex when it lies inside the zone (z->apex must be set). */
static int zone_name(const dnsd_zone_t *z, const char *text, dnsd_name_t *out, const char *what,
		     char *err, size_t err_len)
{
	uint8_t wire[DNS_NAME_MAX];
	uint16_t len = 0;
	int ret = name_param(text, wire, &len, what, err, err_len);
	if (ret != 0) {
		return ret;
	}
	memset(out, 0, sizeof(*out));
	for (uint16_t off = 0; off < len; off += 1u + wire[off]) {
		if (len - off == z->apex_len && memcmp(wire + off, z->apex, z->apex_len) == 0) {
			memcpy(out->wire, wire, off);
			out->len = off;
			out->to_apex = true;
			return 0;
		}
		if (wire[off] == 0) {
			break;
		}
	}
	memcpy(out->wire, wire, len);
	out->len = len;
	return 0;
}

int dnsd_zone_init(dnsd_zone_t *z, const dnsd_zone_params_t *p, char *err, size_t err_len)
{
	memset(z, 0, sizeof(*z));
	int ret = name_param(p->zone, z->apex, &z->apex_len, "zone", err, err_len);
	if (ret != 0) {
		return ret;
	}
	for (size_t i = 0; z->apex[i] != 0; i += 1u + z->apex[i]) {
		z->apex_labels++;
	}
	if (z->apex_labels == 0) {
		snprintf(err, err_len, "zone must be a domain name, not the root");
		return IPBL_EINVAL;
	}
	char buf[DNS_NAME_MAX * 4];
	if (p->n_ns > DNSD_NS_MAX) {
		snprintf(err, err_len, "at most %d name servers", DNSD_NS_MAX);
		return IPBL_EINVAL;
	}
	z->n_ns = p->n_ns ? p->n_ns : 1;
	for (unsigned i = 0; i < z->n_ns; i++) {
		const char *ns = p->n_ns ? p->ns[i] : buf;
		if (p->n_ns == 0) {
			snprintf(buf, sizeof(buf), "ns.%s", p->zone);
		}
		ret = zone_name(z, ns, &z->ns[i], "ns", err, err_len);
		if (ret != 0) {
			return ret;
		}
	}
	if (p->soa_mname) {
		ret = zone_name(z, p->soa_mname, &z->soa_mname, "soa_mname", err, err_len);
		if (ret != 0) {
			return ret;
		}
	} else {
		z->soa_mname = z->ns[0];
	}
	const char *rname = p->soa_rname;
	if (rname == NULL) {
		snprintf(buf, sizeof(buf), "hostmaster.%s", p->zone);
		rname = buf;
	}
	ret = zone_name(z, rname, &z->soa_rname, "soa_rname", err, err_len);
	if (ret != 0) {
		return ret;
	}

	z->ttl_s = p->ttl_s;
	z->negative_ttl_s = p->negative_ttl_s;
	z->refresh_s = p->refresh_s;
	z->retry_s = p->retry_s;
	z->expire_s = p->expire_s;
	z->edns_udp_size = p->edns_udp_size < DNS_UDP_MIN ? DNS_UDP_MIN : p->edns_udp_size;

	size_t tlen = strlen(p->txt);
	if (tlen >= sizeof(z->txt)) {
		snprintf(err, err_len, "txt is longer than %u bytes", DNSD_TXT_MAX - 1);
		return IPBL_EINVAL;
	}
	memcpy(z->txt, p->txt, tlen);
	z->testpoint = (zone_value_t){
		.a = TESTPOINT_LISTED,
		.txt = tlen ? z->txt : NULL,
		.txt_len = (uint32_t)tlen,
	};
	return 0;
}

/* ---- names to addresses ---- */

/* Decimal octet label: "0".."255", no leading zeros. Returns -1 when not one. */
static int octet_label(const uint8_t *label)
{
	unsigned l = label[0];
	if (l == 0 || l > 3 || (l > 1 && label[1] == '0')) {
		return -1;
	}
	unsigned v = 0;
	for (unsigned i = 1; i <= l; i++) {
		if (label[i] < '0' || label[i] > '9') {
			return -1;
		}
		v = v * 10 + (label[i] - '0');
	}
	return v <= 255 ? (int)v : -1;
}

/* Single hex digit label (already lower-cased). Returns -1 when not one. */
static int nibble_label(const uint8_t *label)
{
	if (label[0] != 1) {
		return -1;
	}
	uint8_t c = label[1];
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

/* The labels below the apex as IPv4 octets: labels 0..n-1, the last one (next to the apex)
 * is the first octet. Fills the range the n octets cover. */
static bool name_ip4(const dns_query_t *q, unsigned n, uint32_t *first, uint32_t *last)
{
	if (n == 0 || n > 4) {
		return false;
	}
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++) {
		int o = octet_label(q->qname + q->label_off[n - 1 - i]);
		if (o < 0) {
			return false;
		}
		v = (v << 8) | (uint32_t)o;
	}
	unsigned host_bits = 8 * (4 - n);
	*first = host_bits == 32 ? 0 : v << host_bits;
	*last = *first | (host_bits == 32 ? 0xffffffffu : ((1u << host_bits) - 1));
	return true;
}

/* The labels below the apex as IPv6 nibbles; fills the range [first, last] they cover. */
static bool name_ip6(const dns_query_t *q, unsigned n, uint8_t first[16], uint8_t last[16])
{
	if (n == 0 || n > 32) {
		return false;
	}
	memset(first, 0, 16);
	memset(last, 0xff, 16);
	for (unsigned i = 0; i < n; i++) {
		int nib = nibble_label(q->qname + q->label_off[n - 1 - i]);
		if (nib < 0) {
			return false;
		}
		uint8_t *fb = &first[i / 2];
		uint8_t *lb = &last[i / 2];
		if (i % 2 == 0) {
			*fb = (uint8_t)((nib << 4) | (*fb & 0x0f));
			*lb = (uint8_t)((nib << 4) | (*lb & 0x0f));
		} else {
			*fb = (uint8_t)((*fb & 0xf0) | nib);
			*lb = (uint8_t)((*lb & 0xf0) | nib);
		}
	}
	return true;
}

static const uint8_t mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static uint32_t load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static const zone_value_t *lookup_ip4(const dnsd_zone_t *z, const zone_snapshot_t *snap,
				      uint32_t ip)
{
	if (ip == TESTPOINT_NOT_LISTED) {
		return NULL;
	}
	if (ip == TESTPOINT_LISTED) {
		return &z->testpoint;
	}
	return snap ? zone_snapshot_lookup_ip4(snap, ip) : NULL;
}

static bool any_ip4(const zone_snapshot_t *snap, uint32_t first, uint32_t last)
{
	if (first <= TESTPOINT_LISTED && TESTPOINT_LISTED <= last) {
		return true;
	}
	return snap != NULL && zone_snapshot_any_ip4(snap, first, last);
}

/* Does anything listed lie in the IPv6 range (including IPv4 data seen through the
 * IPv4-mapped block ::ffff:0:0/96)? */
static bool any_ip6(const zone_snapshot_t *snap, const uint8_t first[16], const uint8_t last[16])
{
	if (snap != NULL && zone_snapshot_any_ip6(snap, first, last)) {
		return true;
	}
	uint8_t lo[16];
	uint8_t hi[16];
	memcpy(lo, mapped_prefix, 12);
	memset(lo + 12, 0, 4);
	memcpy(hi, mapped_prefix, 12);
	memset(hi + 12, 0xff, 4);
	if (memcmp(last, lo, 16) < 0 || memcmp(first, hi, 16) > 0) {
		return false;
	}
	/* clamp the range to the mapped block and ask the IPv4 data */
	const uint8_t *f = memcmp(first, lo, 16) < 0 ? lo : first;
	const uint8_t *l = memcmp(last, hi, 16) > 0 ? hi : last;
	return any_ip4(snap, load_be32(f + 12), load_be32(l + 12));
}

/* ---- writing ---- */

typedef struct {
	dns_writer_t w;
	const dnsd_zone_t *z;
	const dns_query_t *q;
	uint16_t apex_ptr; /* compression pointer to the apex inside the echoed question */
	uint16_t n_answer;
	uint16_t n_authority;
	uint16_t n_additional;
} reply_t;

static void put_header(reply_t *r, uint8_t rcode, bool aa, bool tc)
{
	uint16_t flags = DNS_FLAG_QR | (uint16_t)(r->q->opcode << 11) |
			 (r->q->flags & (DNS_FLAG_RD | DNS_FLAG_CD)) | (rcode & 0x0f);
	if (aa) {
		flags |= DNS_FLAG_AA;
	}
	if (tc) {
		flags |= DNS_FLAG_TC;
	}
	r->w.len = 0;
	dns_put_u16(&r->w, r->q->id);
	dns_put_u16(&r->w, flags);
	dns_put_u16(&r->w, r->q->has_question ? 1 : 0);
	dns_put_u16(&r->w, 0);
	dns_put_u16(&r->w, 0);
	dns_put_u16(&r->w, 0);
	if (r->q->has_question) {
		dns_put_bytes(&r->w, r->q->question, r->q->question_len);
	}
}

static void finish_counts(reply_t *r)
{
	dns_patch_u16(&r->w, 6, r->n_answer);
	dns_patch_u16(&r->w, 8, r->n_authority);
	dns_patch_u16(&r->w, 10, r->n_additional);
}

/* RR header with a compressed owner; returns the RDLENGTH position. */
static size_t put_rr(reply_t *r, uint16_t owner_ptr, uint16_t type, uint32_t ttl)
{
	dns_put_u16(&r->w, (uint16_t)(0xc000u | owner_ptr));
	dns_put_u16(&r->w, type);
	dns_put_u16(&r->w, DNS_CLASS_IN);
	dns_put_u32(&r->w, ttl);
	size_t pos = r->w.len;
	dns_put_u16(&r->w, 0);
	return pos;
}

static void end_rr(reply_t *r, size_t rdlen_pos)
{
	if (!r->w.overflow) {
		dns_patch_u16(&r->w, rdlen_pos, (uint16_t)(r->w.len - rdlen_pos - 2));
	}
}

static void put_name(reply_t *r, const dnsd_name_t *n)
{
	dns_put_bytes(&r->w, n->wire, n->len);
	if (n->to_apex) {
		dns_put_u16(&r->w, (uint16_t)(0xc000u | r->apex_ptr));
	}
}

static void put_soa(reply_t *r, uint32_t serial, uint32_t ttl)
{
	const dnsd_zone_t *z = r->z;
	size_t pos = put_rr(r, r->apex_ptr, DNS_TYPE_SOA, ttl);
	put_name(r, &z->soa_mname);
	put_name(r, &z->soa_rname);
	dns_put_u32(&r->w, serial);
	dns_put_u32(&r->w, z->refresh_s);
	dns_put_u32(&r->w, z->retry_s);
	dns_put_u32(&r->w, z->expire_s);
	dns_put_u32(&r->w, z->negative_ttl_s);
	end_rr(r, pos);
}

static void put_ns(reply_t *r)
{
	for (unsigned i = 0; i < r->z->n_ns; i++) {
		size_t pos = put_rr(r, r->apex_ptr, DNS_TYPE_NS, r->z->ttl_s);
		put_name(r, &r->z->ns[i]);
		end_rr(r, pos);
		r->n_answer++;
	}
}

static void put_a(reply_t *r, const zone_value_t *v)
{
	size_t pos = put_rr(r, DNS_HEADER_LEN, DNS_TYPE_A, r->z->ttl_s);
	dns_put_u32(&r->w, v->a);
	end_rr(r, pos);
	r->n_answer++;
}

/* TXT with every '$' of the template replaced by ip_text ("$$" stands for '$'), in strings of at
 * most 255 bytes (RFC 1035 §3.3.14). */
static void put_txt(reply_t *r, const zone_value_t *v, const char *ip_text)
{
	char text[DNSD_TXT_MAX];
	size_t n = 0;
	size_t ip_len = strlen(ip_text);
	for (uint32_t i = 0; i < v->txt_len && n < sizeof(text); i++) {
		if (v->txt[i] != '$') {
			text[n++] = v->txt[i];
		} else if (i + 1 < v->txt_len && v->txt[i + 1] == '$') {
			text[n++] = '$'; /* "$$" is a literal dollar, as in rbldnsd */
			i++;
		} else {
			size_t k = ip_len < sizeof(text) - n ? ip_len : sizeof(text) - n;
			memcpy(text + n, ip_text, k);
			n += k;
		}
	}
	size_t pos = put_rr(r, DNS_HEADER_LEN, DNS_TYPE_TXT, r->z->ttl_s);
	for (size_t off = 0; off < n; off += 255) {
		size_t k = n - off < 255 ? n - off : 255;
		dns_put_u8(&r->w, (uint8_t)k);
		dns_put_bytes(&r->w, text + off, k);
	}
	end_rr(r, pos);
	r->n_answer++;
}

static void put_opt(reply_t *r, uint8_t ext_rcode)
{
	dns_put_u8(&r->w, 0); /* root owner */
	dns_put_u16(&r->w, DNS_TYPE_OPT);
	dns_put_u16(&r->w, r->z->edns_udp_size);
	dns_put_u8(&r->w, ext_rcode);
	dns_put_u8(&r->w, 0);  /* version */
	dns_put_u16(&r->w, 0); /* DO and Z: no DNSSEC here */
	dns_put_u16(&r->w, 0);
	r->n_additional++;
}

/* ---- the answer ---- */

/* The queried address, kept as a number until a TXT answer needs its text. */
typedef struct {
	bool is6;
	uint32_t v4;
	uint8_t v6[16];
} qaddr_t;

/* Decimal octets without printf: this runs for every TXT answer. */
static void ip4_text(uint32_t ip, char *buf)
{
	char *p = buf;
	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned o = (ip >> shift) & 255;
		if (o >= 100) {
			*p++ = (char)('0' + o / 100);
		}
		if (o >= 10) {
			*p++ = (char)('0' + o / 10 % 10);
		}
		*p++ = (char)('0' + o % 10);
		*p++ = shift ? '.' : '\0';
	}
}

static void qaddr_text(const qaddr_t *a, char *buf)
{
	if (a->is6) {
		ipbl_ipaddr_t ip;
		ipbl_ipaddr_from_v6(a->v6, &ip);
		ipbl_ipaddr_format(&ip, buf);
	} else {
		ip4_text(a->v4, buf);
	}
}

/* The listed-name answer for qtype: A, TXT, both (ANY), or nothing (other types: NODATA). */
static bool put_listed(reply_t *r, const zone_value_t *v, const qaddr_t *addr)
{
	uint16_t t = r->q->qtype;
	if (t == DNS_TYPE_A || t == DNS_TYPE_ANY) {
		put_a(r, v);
	}
	if ((t == DNS_TYPE_TXT || t == DNS_TYPE_ANY) && v->txt_len > 0) {
		char text[IPBL_IPADDR_STRLEN];
		qaddr_text(addr, text);
		put_txt(r, v, text);
	}
	return r->n_answer > 0;
}

/* Answer a name below the apex; rel = labels below it. Returns the rcode. */
static uint8_t answer_below_apex(reply_t *r, const zone_snapshot_t *snap, unsigned rel)
{
	const dns_query_t *q = r->q;
	const zone_value_t *v = NULL;
	qaddr_t addr = { .is6 = false };
	uint32_t f4 = 0;
	uint32_t l4 = 0;
	uint8_t f6[16];
	uint8_t l6[16];
	bool is4 = name_ip4(q, rel, &f4, &l4);
	/* nibble labels are read only when they can matter: here for a full IPv6 name, below
	 * for a prefix that nothing else answered */
	bool is6 = rel == 32 && name_ip6(q, rel, f6, l6);

	if (is4 && rel == 4) {
		v = lookup_ip4(r->z, snap, f4);
		addr.v4 = f4;
	} else if (is6 && rel == 32) {
		if (memcmp(f6, mapped_prefix, 12) == 0) {
			v = lookup_ip4(r->z, snap, load_be32(f6 + 12));
		} else if (snap) {
			v = zone_snapshot_lookup_ip6(snap, f6);
		}
		addr.is6 = true;
		memcpy(addr.v6, f6, 16);
	}
	if (v) {
		if (put_listed(r, v, &addr)) {
			return DNS_RCODE_NOERROR;
		}
		r->n_authority++;
		put_soa(r, snap ? zone_snapshot_serial(snap) : 0, r->z->negative_ttl_s);
		return DNS_RCODE_NOERROR;
	}
	bool exists = (is4 && rel < 4 && any_ip4(snap, f4, l4)) ||
		      (rel < 32 && name_ip6(q, rel, f6, l6) && any_ip6(snap, f6, l6));
	r->n_authority++;
	put_soa(r, snap ? zone_snapshot_serial(snap) : 0, r->z->negative_ttl_s);
	return exists ? DNS_RCODE_NOERROR : DNS_RCODE_NXDOMAIN;
}

static uint8_t answer_apex(reply_t *r, uint32_t serial)
{
	switch (r->q->qtype) {
	case DNS_TYPE_SOA:
		put_soa(r, serial, r->z->ttl_s);
		r->n_answer++;
		break;
	case DNS_TYPE_NS:
		put_ns(r);
		break;
	case DNS_TYPE_ANY:
		put_soa(r, serial, r->z->ttl_s);
		r->n_answer++;
		put_ns(r);
		break;
	default:
		put_soa(r, serial, r->z->negative_ttl_s);
		r->n_authority++;
		break;
	}
	return DNS_RCODE_NOERROR;
}

/* Where the apex starts in the question name, or -1 when the name is outside the zone. */
static int apex_offset(const dnsd_zone_t *z, const dns_query_t *q)
{
	if (q->n_labels < z->apex_labels) {
		return -1;
	}
	unsigned first = q->n_labels - z->apex_labels;
	size_t off = first < q->n_labels ? q->label_off[first] : (size_t)q->qname_len - 1;
	if (q->qname_len - off != z->apex_len || memcmp(q->qname + off, z->apex, z->apex_len)) {
		return -1;
	}
	return (int)off;
}

static size_t udp_limit(const dnsd_zone_t *z, const dns_query_t *q)
{
	if (!q->has_edns) {
		return DNS_UDP_MIN;
	}
	size_t lim = q->edns_udp_size < z->edns_udp_size ? q->edns_udp_size : z->edns_udp_size;
	return lim < DNS_UDP_MIN ? DNS_UDP_MIN : lim;
}

/* Header (+ question) + OPT with an rcode and no records. */
static size_t reply_empty(reply_t *r, uint8_t rcode, bool aa, bool tc)
{
	r->n_answer = r->n_authority = r->n_additional = 0;
	put_header(r, rcode, aa, tc);
	if (r->q->has_edns) {
		put_opt(r, (uint8_t)(rcode >> 4));
	}
	finish_counts(r);
	return r->w.overflow ? 0 : r->w.len;
}

size_t dnsd_answer(const dnsd_zone_t *z, const zone_snapshot_t *snap, const uint8_t *pkt,
		   size_t len, uint8_t *out, size_t out_cap, bool over_tcp,
		   dnsd_answer_info_t *info)
{
	dns_query_t q;
	enum dns_parse_result pr = dns_query_parse(pkt, len, &q);
	*info = (dnsd_answer_info_t){ .qtype = q.has_question ? q.qtype : 0 };
	if (pr == DNS_PARSE_DROP) {
		info->dropped = true;
		return 0;
	}
	size_t limit = over_tcp ? DNS_MSG_MAX : udp_limit(z, &q);
	if (limit > out_cap) {
		limit = out_cap;
	}
	reply_t r = { .z = z, .q = &q };
	dns_writer_init(&r.w, out, limit);

	if (pr != DNS_PARSE_OK) {
		q.has_edns = false; /* its OPT may be the malformed part */
		info->rcode = pr == DNS_PARSE_NOTIMP ? DNS_RCODE_NOTIMP : DNS_RCODE_FORMERR;
		return reply_empty(&r, info->rcode, false, false);
	}
	if (q.has_edns && q.edns_version != 0) {
		info->rcode = DNS_RCODE_BADVERS; /* RFC 6891 §6.1.3 */
		return reply_empty(&r, DNS_RCODE_BADVERS, false, false);
	}
	int off = (q.qclass == DNS_CLASS_IN || q.qclass == DNS_CLASS_ANY) ? apex_offset(z, &q) : -1;
	if (off < 0 || q.qtype == DNS_TYPE_AXFR || q.qtype == DNS_TYPE_IXFR) {
		info->rcode = DNS_RCODE_REFUSED;
		return reply_empty(&r, DNS_RCODE_REFUSED, false, false);
	}
	r.apex_ptr = (uint16_t)(DNS_HEADER_LEN + (unsigned)off);

	/* room for the OPT record is kept back while the records are written */
	size_t opt_room = q.has_edns ? OPT_RR_LEN : 0;
	r.w.cap = limit - opt_room;
	put_header(&r, 0, true, false);
	unsigned rel = q.n_labels - z->apex_labels;
	uint8_t rcode = rel == 0 ? answer_apex(&r, snap ? zone_snapshot_serial(snap) : 0)
				 : answer_below_apex(&r, snap, rel);
	info->rcode = rcode;
	if (r.w.overflow) {
		info->truncated = true;
		r.w.cap = limit;
		r.w.overflow = false;
		return reply_empty(&r, rcode, true, true);
	}
	dns_patch_u16(&r.w, 2, (uint16_t)(dns_get_u16(out + 2) | rcode));
	r.w.cap = limit;
	if (q.has_edns) {
		put_opt(&r, 0);
	}
	finish_counts(&r);
	return r.w.len;
}
