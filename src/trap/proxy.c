/* SPDX-License-Identifier: BSD-2-Clause */
/* PROXY protocol parser. v1 is one text line, "PROXY TCP4|TCP6|UNKNOWN SRC DST SPORT DPORT"
 * ending in CRLF, at most 107 bytes; v2 is a 12-byte signature, a version/command byte, a
 * family byte, a 16-bit length and that many bytes of addresses and TLVs. Anything that does
 * not follow the format exactly is refused: a proxy that sends a broken header cannot be
 * trusted for the address in it. TLVs are skipped unread. */
#include "trap/proxy.h"

#include <string.h>

#include "lib/str.h"

#define V1_MAX 107

static const uint8_t v2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				    0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
static const char v1_sig[6] = "PROXY ";

enum trap_proxy_sniff trap_proxy_sniff(const uint8_t *buf, size_t len)
{
	size_t n1 = len < sizeof(v1_sig) ? len : sizeof(v1_sig);
	size_t n2 = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
	bool v1 = memcmp(buf, v1_sig, n1) == 0;
	bool v2 = memcmp(buf, v2_sig, n2) == 0;
	if ((v1 && n1 == sizeof(v1_sig)) || (v2 && n2 == sizeof(v2_sig))) {
		return TRAP_PROXY_YES;
	}
	return v1 || v2 ? TRAP_PROXY_MAYBE : TRAP_PROXY_NO;
}

/* A port: 1 to 5 digits, no leading zero (except "0" itself), at most 65535. */
static bool parse_port(ipbl_str_t s, uint16_t *out)
{
	unsigned long long v;
	if (s.len == 0 || s.len > 5 || (s.len > 1 && s.ptr[0] == '0') ||
	    !ipbl_str_to_u64(s, 65535, &v)) {
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

static bool parse_addr(ipbl_str_t s, int family, ipbl_ipaddr_t *out)
{
	return ipbl_ipaddr_parse(s, out) == 0 && out->family == family;
}

static int parse_v1(const uint8_t *buf, size_t len, trap_proxy_t *out)
{
	size_t scan = len < V1_MAX ? len : V1_MAX;
	const uint8_t *lf = memchr(buf, '\n', scan);
	if (lf == NULL) {
		return len >= V1_MAX ? IPBL_EPARSE : 0;
	}
	size_t hdr_len = (size_t)(lf - buf) + 1;
	if (hdr_len < 2 || lf[-1] != '\r') {
		return IPBL_EPARSE;
	}
	ipbl_str_t line = { (const char *)buf + sizeof(v1_sig), hdr_len - 2 - sizeof(v1_sig) };
	ipbl_str_t proto;
	ipbl_str_t rest = ipbl_str_split(line, ' ', &proto);
	*out = (trap_proxy_t){ .version = 1 };
	if (ipbl_str_eq(proto, IPBL_STR_LIT("UNKNOWN"))) {
		return (int)hdr_len; /* whatever follows is to be ignored */
	}
	int family;
	if (ipbl_str_eq(proto, IPBL_STR_LIT("TCP4"))) {
		family = IPBL_AF_V4;
	} else if (ipbl_str_eq(proto, IPBL_STR_LIT("TCP6"))) {
		family = IPBL_AF_V6;
	} else {
		return IPBL_EPARSE;
	}
	ipbl_str_t f[4];
	for (int i = 0; i < 3; i++) {
		if (rest.ptr == NULL) {
			return IPBL_EPARSE;
		}
		rest = ipbl_str_split(rest, ' ', &f[i]);
	}
	if (rest.ptr == NULL || memchr(rest.ptr, ' ', rest.len) != NULL) {
		return IPBL_EPARSE;
	}
	f[3] = rest;
	if (!parse_addr(f[0], family, &out->src) || !parse_addr(f[1], family, &out->dst) ||
	    !parse_port(f[2], &out->src_port) || !parse_port(f[3], &out->dst_port)) {
		return IPBL_EPARSE;
	}
	out->has_addr = true;
	return (int)hdr_len;
}

static int parse_v2(const uint8_t *buf, size_t len, trap_proxy_t *out)
{
	if (len < 16) {
		return 0;
	}
	size_t body = (size_t)buf[14] << 8 | buf[15];
	size_t total = 16 + body;
	if (total > TRAP_PROXY_MAX) {
		return IPBL_ELIMIT;
	}
	uint8_t ver = buf[12] >> 4, cmd = buf[12] & 0x0f;
	if (ver != 2 || cmd > 1) {
		return IPBL_EPARSE;
	}
	if (len < total) {
		return 0;
	}
	*out = (trap_proxy_t){ .version = 2 };
	if (cmd == 0) {
		return (int)total; /* LOCAL (the proxy's own health check): no client address */
	}
	const uint8_t *a = buf + 16;
	uint8_t fam = buf[13];
	switch (fam) {
	case 0x11: /* TCP over IPv4 */
		if (body < 12) {
			return IPBL_EPARSE;
		}
		ipbl_ipaddr_from_v4((uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
					    (uint32_t)a[2] << 8 | a[3],
				    &out->src);
		ipbl_ipaddr_from_v4((uint32_t)a[4] << 24 | (uint32_t)a[5] << 16 |
					    (uint32_t)a[6] << 8 | a[7],
				    &out->dst);
		out->src_port = (uint16_t)(a[8] << 8 | a[9]);
		out->dst_port = (uint16_t)(a[10] << 8 | a[11]);
		break;
	case 0x21: /* TCP over IPv6 */
		if (body < 36) {
			return IPBL_EPARSE;
		}
		ipbl_ipaddr_from_v6(a, &out->src);
		ipbl_ipaddr_from_v6(a + 16, &out->dst);
		out->src_port = (uint16_t)(a[32] << 8 | a[33]);
		out->dst_port = (uint16_t)(a[34] << 8 | a[35]);
		break;
	case 0x00: /* UNSPEC */
	case 0x31: /* unix stream */
		return (int)total;
	default: /* datagram families, unknown families: not what an SMTP proxy sends */
		return IPBL_EPARSE;
	}
	out->has_addr = true;
	return (int)total;
}

int trap_proxy_parse(const uint8_t *buf, size_t len, trap_proxy_t *out)
{
	switch (trap_proxy_sniff(buf, len)) {
	case TRAP_PROXY_NO:
		return IPBL_EPARSE;
	case TRAP_PROXY_MAYBE:
		return 0;
	case TRAP_PROXY_YES:
		break;
	}
	return buf[0] == 'P' ? parse_v1(buf, len, out) : parse_v2(buf, len, out);
}
