# SPDX-License-Identifier: BSD-2-Clause
# What ipbld answers over DNS, rule by rule (docs: the dnsd behaviour spec, RFC 5782, RFC 2308,
# RFC 6891): listed and unlisted IPv4/IPv6 names, values, test points, negative answers, the
# apex, flags, classes, opcodes, EDNS, truncation and TCP.

import random
import re
import signal
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

from conftest import (
    HAVE_IPV6,
    LONG_TXT,
    STD_EXPECT,
    TXT255,
    TXT256,
    ZONE,
    check_answer,
    check_baseline,
    dtxt,
    long_daemon,
    header,
    name4,
    name6,
    name_of,
    opt_rr,
    parse_header,
    question,
    recv_exact,
    rrset_values,
    std_daemon,
    tcp_send_recv,
    txt_strings,
)

ZONE_NAME = dns.name.from_text(ZONE)
TTL = 600  # default ttl = 10m
NEG_TTL = 60  # default negative_ttl = 1m


@pytest.fixture(scope="module")
def std(module_daemons):
    """One daemon serving the standard data set, shared by the read-only tests below."""
    return std_daemon(module_daemons)


@pytest.fixture(scope="module")
def longtxt(module_daemons):
    """One daemon whose [dns] txt template makes a 1001-byte TXT for 192.0.2.60."""
    return long_daemon(module_daemons)


def rname(r):
    return dns.rcode.to_text(r.rcode())


def assert_soa_authority(r, ttl=NEG_TTL, serial=None, where=""):
    """The authority section is exactly the zone's SOA with the given TTL."""
    assert len(r.authority) == 1, "%s: authority %s, want only the SOA" % (where, r.authority)
    rrset = r.authority[0]
    assert rrset.rdtype == dns.rdatatype.SOA, "%s: authority %s" % (where, rrset)
    assert rrset.name == ZONE_NAME, "%s: SOA owner %s" % (where, rrset.name)
    assert len(rrset) == 1
    assert rrset.ttl == ttl, "%s: SOA TTL %d, want %d" % (where, rrset.ttl, ttl)
    if serial is not None:
        assert rrset[0].serial == serial, "%s: serial %d, want %d" % (
            where, rrset[0].serial, serial)


def assert_nxdomain(r, where, serial=None):
    assert r.rcode() == dns.rcode.NXDOMAIN, "%s: want NXDOMAIN, got %s" % (where, rname(r))
    assert r.flags & dns.flags.AA, "%s: AA not set" % where
    assert not r.answer, "%s: answers %s" % (where, r.answer)
    assert_soa_authority(r, serial=serial, where=where)


def assert_nodata(r, where, serial=None):
    assert r.rcode() == dns.rcode.NOERROR, "%s: want NOERROR (NODATA), got %s" % (where, rname(r))
    assert r.flags & dns.flags.AA, "%s: AA not set" % where
    assert not r.answer, "%s: answers %s" % (where, r.answer)
    assert_soa_authority(r, serial=serial, where=where)


def current_serial(d):
    serials = d.serials()
    assert serials, "no 'zone loaded serial=' line in the log:\n" + d.log()
    return serials[-1]


# ---------------------------------------------------------------------------------------------
# Start-up


def test_ready_line_and_logs(std):
    fams = [f for f, _, _ in std.endpoints]
    assert fams == ([4, 6] if HAVE_IPV6 else [4]), std.ready_line
    for _, _, port in std.endpoints:
        assert 0 < port < 65536
    port = std.endpoint(4)[1]
    log = std.log()
    assert re.search(r"^ipbld: dns: listening udp=127\.0\.0\.1:%d tcp=127\.0\.0\.1:%d\b" %
                     (port, port), log, re.M), log
    m = re.search(r"^ipbld: dns: zone loaded (.*)$", log, re.M)
    assert m, log
    fields = dict(kv.split("=", 1) for kv in m.group(1).split() if "=" in kv)
    for key in ("serial", "ip4_hosts", "ip4_intervals", "ip6_intervals", "values", "ms"):
        assert key in fields, "no %s= in %r" % (key, m.group(0))
    # The IPv4 file alone holds 10 distinct (A, TXT) pairs.
    assert int(fields["values"]) >= 10, m.group(0)


# ---------------------------------------------------------------------------------------------
# Listed and unlisted addresses


def test_standard_answers_udp(std):
    check_baseline(std)


def test_standard_answers_tcp(std):
    check_baseline(std, tcp=True)


def test_ipv6_names_upper_case(std):
    for ip, a, txt in STD_EXPECT:
        if ":" in ip:
            check_answer(std, ip, a, txt, upper=True)


def test_ipv6_names_mixed_case(std):
    rng = random.Random(5782)
    for ip, a, txt in STD_EXPECT:
        if ":" not in ip:
            continue
        labels = name6(ip).split(".")
        mixed = ".".join(c.upper() if rng.random() < 0.5 else c for c in labels)
        for qtype, want in (("A", [a] if a else []), ("TXT", [txt] if a and txt else [])):
            r = std.query(mixed, qtype)
            want_rcode = dns.rcode.NOERROR if a else dns.rcode.NXDOMAIN
            assert r.rcode() == want_rcode, "%s %s: %s" % (mixed, qtype, rname(r))
            assert rrset_values(r, qtype) == want, "%s %s" % (mixed, qtype)


def test_answer_ttls_and_owner(std):
    qname = name4("192.0.2.2")
    r = std.query(qname, "ANY")
    assert r.rcode() == dns.rcode.NOERROR
    assert sorted(rr.rdtype for rr in r.answer) == [dns.rdatatype.A, dns.rdatatype.TXT]
    for rrset in r.answer:
        assert rrset.name == dns.name.from_text(qname)
        assert rrset.ttl == TTL, rrset
        assert rrset.rdclass == dns.rdataclass.IN
        assert len(rrset) == 1


@pytest.mark.parametrize("ip", ["192.0.2.1", "192.0.2.50", "2001:db8:2::5", "2001:db8:3::",
                                "127.0.0.2", "::ffff:192.0.2.1", "::ffff:127.0.0.2"])
def test_other_types_are_nodata(std, ip):
    serial = current_serial(std)
    for qtype in ("AAAA", "MX", "NS", "SOA", "CNAME", "PTR", "SRV", "HINFO", "CAA", "TYPE65280"):
        r = std.query(name_of(ip), qtype)
        assert_nodata(r, "%s %s" % (name_of(ip), qtype), serial)


def test_entry_without_txt_is_nodata_for_txt(std):
    # "192.0.2.52 :127.0.0.12:" has an A value and explicitly no TXT.
    r = std.query(name4("192.0.2.52"), "TXT")
    assert_nodata(r, "192.0.2.52 TXT")
    r = std.query(name4("192.0.2.52"), "ANY")
    assert rrset_values(r, "A") == ["127.0.0.12"] and len(r.answer) == 1, r


def test_txt_split_into_strings(std, longtxt):
    cases = [
        (std, "192.0.2.61", TXT255.replace("$", "192.0.2.61"), 1),
        (std, "192.0.2.62", TXT256.replace("$", "192.0.2.62"), 2),
        (longtxt, "192.0.2.60", LONG_TXT.replace("$", "192.0.2.60"), None),
        (longtxt, "127.0.0.2", LONG_TXT.replace("$", "127.0.0.2"), None),
    ]
    for d, ip, want, nstrings in cases:
        r = d.query(name4(ip), "TXT", tcp=True)
        assert r.rcode() == dns.rcode.NOERROR
        strs = txt_strings(r)
        assert len(strs) == 1, "%s: %d TXT records" % (ip, len(strs))
        parts = strs[0]
        assert all(0 < len(p) <= 255 for p in parts), [len(p) for p in parts]
        assert b"".join(parts).decode() == want
        if nstrings is not None:
            assert len(parts) == nstrings, "%s: %d strings %s" % (
                ip, len(parts), [len(p) for p in parts])
        else:
            assert len(parts) >= (len(want) + 254) // 255


# ---------------------------------------------------------------------------------------------
# Test points


def test_test_points_override_the_data(daemon):
    d = daemon(conf={"dns": {"data": "ip4set:{data}/lo.txt"}},
               data={"lo.txt": "127.0.0.0/8 :127.0.0.9:loopback $\n!127.0.0.2\n"})
    check_answer(d, "127.0.0.2", "127.0.0.2", dtxt("127.0.0.2"))
    check_answer(d, "127.0.0.1", None, None)
    check_answer(d, "127.0.0.3", "127.0.0.9", "loopback 127.0.0.3")
    check_answer(d, "127.255.255.255", "127.0.0.9", "loopback 127.255.255.255")
    check_answer(d, "::ffff:127.0.0.2", "127.0.0.2", dtxt("::ffff:127.0.0.2"))
    check_answer(d, "::ffff:127.0.0.1", None, None)
    check_answer(d, "::ffff:127.0.0.3", "127.0.0.9", "loopback ::ffff:127.0.0.3")


def test_test_points_without_data(daemon):
    d = daemon(conf={"dns": {"txt": "Test point $ (see https://example.org/?q=$)"}})
    check_answer(d, "127.0.0.2", "127.0.0.2", "Test point 127.0.0.2 (see https://example.org/?q=127.0.0.2)")
    check_answer(d, "::ffff:127.0.0.2", "127.0.0.2",
                 "Test point ::ffff:127.0.0.2 (see https://example.org/?q=::ffff:127.0.0.2)")
    check_answer(d, "::ffff:127.0.0.2", "127.0.0.2",
                 "Test point ::ffff:127.0.0.2 (see https://example.org/?q=::ffff:127.0.0.2)",
                 upper=True)
    for ip in ("127.0.0.1", "::ffff:127.0.0.1", "127.0.0.3", "192.0.2.1", "2001:db8::1"):
        check_answer(d, ip, None, None)
    assert_nodata(d.query("0.0.127." + ZONE, "A"), "0.0.127 without data")


# ---------------------------------------------------------------------------------------------
# Negative answers and empty non-terminals

NXDOMAIN_NAMES = [
    "3.2.0.192",  # unlisted full address
    "02.0.0.127",  # leading zero
    "2.0.0.0127",
    "256.2.0.192",  # octet > 255
    "1.2.0.256",
    "1.1.2.0.192",  # 5 labels
    "1.2.0.192.1",
    "x.1.2.0.192",  # garbage in front of a listed name
    "-1.2.0.192",
    "0x1.2.0.192",
    "1.2.0.192.in-addr",
    "www",
    "foo.bar",
    "3.0.192",  # partial name with nothing listed below it
    "193",
    "4.20.10.10",
    "9.b.d.0.1.0.0.2",  # IPv6 prefix with nothing listed below it
    "0." + name6("2001:db8:2::5").split("." + ZONE)[0],  # 33 nibbles
    "g." + ".".join(name6("2001:db8:2::5").split(".")[1:32]),  # non-hex nibble
    "00." + ".".join(name6("2001:db8:2::5").split(".")[1:32]),  # two-digit nibble
    "5.4.3.2.1",
    ".".join(name6("::ffff:10.99.0.0").split(".")[4:32]),  # mapped prefix, nothing listed
]


def test_nxdomain_has_soa_with_negative_ttl(std):
    serial = current_serial(std)
    for label in NXDOMAIN_NAMES:
        qname = label + "." + ZONE + "."
        for qtype in ("A", "TXT", "ANY", "AAAA"):
            r = std.query(qname, qtype)
            assert_nxdomain(r, "%s %s" % (qname, qtype), serial)
    r = std.query("3.2.0.192." + ZONE, "A")
    soa = r.authority[0][0]
    assert soa.mname == dns.name.from_text("ns." + ZONE)
    assert soa.rname == dns.name.from_text("hostmaster." + ZONE)
    assert (soa.refresh, soa.retry, soa.expire, soa.minimum) == (3600, 600, 7 * 86400, NEG_TTL)


ENT_NAMES = [
    "2.0.192",  # 192.0.2.1 is listed
    "0.192",
    "192",
    "0.0.127",  # the test point 127.0.0.2
    "0.127",
    "127",
    "100.51.198",  # 198.51.100.0/24
    "51.198",
    "3.20.10",  # 10.20.0.0-10.20.3.255
    "20.10",
    "10",
    "113.0.203",  # 203.0.113.16/28
    "8.b.d.0.1.0.0.2",  # 2001:db8::/32 holds listed prefixes
    "8.B.D.0.1.0.0.2",
    "1.0.0.0.8.b.d.0.1.0.0.2",  # 2001:db8:1::/48
    ".".join(name6("2001:db8:2::5").split(".")[1:32]),  # 31 nibbles above a /128
    ".".join(name6("2001:db8:1::").split(".")[16:32]),  # the /64 itself (16 nibbles)
    ".".join(name6("2001:db8:1::").split(".")[8:32]),  # 24 nibbles inside the /64
    ".".join(name6("2001:db8:3::").split(".")[20:32]),  # the /48 itself
    ".".join(name6("::ffff:127.0.0.2").split(".")[1:32]),  # above the mapped test point
    ".".join(name6("::ffff:192.0.2.1").split(".")[2:32]),  # above a mapped listed address
    ".".join(name6("::ffff:198.51.100.0").split(".")[8:32]),  # the whole ::ffff:0:0/96
]


def test_empty_non_terminals(std):
    serial = current_serial(std)
    for label in ENT_NAMES:
        qname = label + "." + ZONE + "."
        for qtype in ("A", "TXT", "ANY"):
            r = std.query(qname, qtype)
            assert_nodata(r, "%s %s (empty non-terminal)" % (qname, qtype), serial)


# ---------------------------------------------------------------------------------------------
# The apex


def test_apex(std):
    serial = current_serial(std)
    for qname in (ZONE + ".", ZONE.upper() + "."):
        r = std.query(qname, "SOA")
        assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, r
        assert len(r.answer) == 1, r
        rrset = r.answer[0]
        assert rrset.rdtype == dns.rdatatype.SOA and rrset.ttl == TTL and len(rrset) == 1
        soa = rrset[0]
        assert soa.serial == serial
        assert soa.mname == dns.name.from_text("ns." + ZONE)
        assert soa.rname == dns.name.from_text("hostmaster." + ZONE)
        assert (soa.refresh, soa.retry, soa.expire, soa.minimum) == (
            3600, 600, 7 * 86400, NEG_TTL)

        r = std.query(qname, "NS")
        assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, r
        assert len(r.answer) == 1 and r.answer[0].rdtype == dns.rdatatype.NS, r
        assert r.answer[0].ttl == TTL
        assert sorted(rd.target.to_text().lower() for rd in r.answer[0]) == ["ns." + ZONE + "."]

        r = std.query(qname, "ANY")
        assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, r
        assert sorted(rr.rdtype for rr in r.answer) == [dns.rdatatype.NS, dns.rdatatype.SOA], r

        for qtype in ("A", "TXT", "AAAA", "MX", "PTR"):
            assert_nodata(std.query(qname, qtype), "apex %s" % qtype, serial)


def test_configured_ns_soa_and_ttls(daemon):
    d = daemon(conf={"dns": {
        "ns": "ns1.example.org, ns2.example.org",
        "soa_rname": "abuse.example.net",
        "soa_refresh": "2h",
        "soa_retry": "15m",
        "soa_expire": "14d",
        "ttl": "5m",
        "negative_ttl": "30s",
    }})
    r = d.query(ZONE, "SOA")
    soa = r.answer[0][0]
    assert r.answer[0].ttl == 300
    assert soa.mname == dns.name.from_text("ns1.example.org")
    assert soa.rname == dns.name.from_text("abuse.example.net")
    assert (soa.refresh, soa.retry, soa.expire, soa.minimum) == (7200, 900, 14 * 86400, 30)
    r = d.query(ZONE, "NS")
    assert sorted(rd.target.to_text().lower() for rd in r.answer[0]) == [
        "ns1.example.org.", "ns2.example.org."]
    assert r.answer[0].ttl == 300
    r = d.query(name4("127.0.0.2"), "A")
    assert r.answer[0].ttl == 300
    r = d.query(name4("127.0.0.1"), "A")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.authority[0].ttl == 30

    d2 = daemon(conf={"dns": {"ns": "ns1.example.org", "soa_mname": "master.example.net"}})
    soa = d2.query(ZONE, "SOA").answer[0][0]
    assert soa.mname == dns.name.from_text("master.example.net")
    assert soa.rname == dns.name.from_text("hostmaster." + ZONE)


# ---------------------------------------------------------------------------------------------
# Outside the zone, classes, opcodes


REFUSED_NAMES = [
    "example.org.",
    "org.",
    ".",
    "xbl.example.org.",  # shares the zone's string suffix, not its labels
    "1.2.0.192.xbl.example.org.",
    "1.2.0.192.bl.example.com.",
    "bl.example.org.example.com.",
    "1.2.0.192.example.org.",
    "2.0.0.127.in-addr.arpa.",
]


def test_outside_zone_is_refused(std):
    for qname in REFUSED_NAMES:
        for qtype in ("A", "TXT", "SOA", "NS"):
            q = std.make_query(qname, qtype)
            r = std.query(q)
            assert r.rcode() == dns.rcode.REFUSED, "%s %s: %s" % (qname, qtype, rname(r))
            assert not r.flags & dns.flags.AA, "%s: AA set on REFUSED" % qname
            assert not r.answer and not r.authority, r
            assert r.question == q.question, r


def test_zone_transfer_refused_for_now(std):
    for qtype in ("AXFR", "IXFR"):
        for tcp in (False, True):
            r = std.query(ZONE, qtype, tcp=tcp)
            assert r.rcode() == dns.rcode.REFUSED, "%s tcp=%s: %s" % (qtype, tcp, rname(r))
            assert not r.answer


@pytest.mark.parametrize("qclass", [3, 4, 254, 2, 1000, 65535])
def test_other_classes_refused(std, qclass):
    for qname, qtype in ((name4("192.0.2.1"), 1), (ZONE, 6), (name4("192.0.2.3"), 16)):
        wire = header(qid=0x4242) + question(qname, qtype, qclass)
        resp = std.udp_raw(wire)
        assert resp is not None, "no answer for class %d" % qclass
        h = parse_header(resp)
        assert h["id"] == 0x4242 and h["qr"] == 1
        assert h["rcode"] == dns.rcode.REFUSED, "%s class %d: rcode %d" % (qname, qclass, h["rcode"])
        assert h["an"] == 0 and h["aa"] == 0


def test_class_any_is_answered(std):
    r = std.query(name4("192.0.2.1"), "A", rdclass="ANY")
    assert r.rcode() == dns.rcode.NOERROR, rname(r)
    assert rrset_values(r, "A") == ["127.0.0.2"]
    r = std.query(name4("192.0.2.3"), "A", rdclass="ANY")
    assert r.rcode() == dns.rcode.NXDOMAIN, rname(r)


@pytest.mark.parametrize("opcode", [1, 2, 3, 4, 5, 6, 15])
def test_other_opcodes_notimp(std, opcode):
    flags = (opcode << 11) | (0x0400 if opcode == 4 else 0)
    wire = header(qid=0x0F0F, flags=flags) + question(ZONE, 6)
    resp = std.udp_raw(wire)
    assert resp is not None, "no answer for opcode %d" % opcode
    h = parse_header(resp)
    assert h["id"] == 0x0F0F and h["qr"] == 1
    assert h["rcode"] == dns.rcode.NOTIMP, "opcode %d: rcode %d" % (opcode, h["rcode"])
    assert h["opcode"] == opcode, "opcode not copied into the response"
    assert h["an"] == 0


# ---------------------------------------------------------------------------------------------
# Case, ID and flags


def mixed_case(name, rng):
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)


def test_question_echoed_with_client_case(std):
    rng = random.Random(0x20)
    names = [name4("192.0.2.1"), name4("192.0.2.3"), name6("2001:db8:2::5"), ZONE + ".",
             "2.0.192." + ZONE + ".", "1.2.0.192.bl.example.com.", "www.Example.ORG."]
    for base in names:
        for _ in range(5):
            qname = mixed_case(base, rng)
            for qtype in (1, 16, 6):
                qid = rng.randrange(65536)
                qwire = question(qname, qtype)
                resp = std.udp_raw(header(qid=qid) + qwire)
                assert resp is not None, qname
                h = parse_header(resp)
                assert h["id"] == qid
                assert h["qd"] == 1
                assert resp[12:12 + len(qwire)] == qwire, "question not echoed byte for byte: " \
                    "sent %r, got %r" % (qwire, resp[12:12 + len(qwire)])


def test_answer_owner_matches_question(std):
    qname = "1.2.0.192.Bl.ExAmPlE.oRg."
    r = std.query(qname, "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.answer[0].name == dns.name.from_text(qname)


@pytest.mark.parametrize("qid", [0, 1, 0x8000, 0xFFFF])
def test_flags(std, qid):
    cases = [
        (name4("192.0.2.1"), 1, dns.rcode.NOERROR, 1),
        (name4("192.0.2.3"), 1, dns.rcode.NXDOMAIN, 1),
        (name4("192.0.2.1"), 28, dns.rcode.NOERROR, 1),  # NODATA
        ("2.0.192." + ZONE, 1, dns.rcode.NOERROR, 1),  # empty non-terminal
        (ZONE, 6, dns.rcode.NOERROR, 1),
        ("example.com", 1, dns.rcode.REFUSED, 0),
    ]
    for qname, qtype, rcode, aa in cases:
        for rd in (0, 1):
            for extra in (0, 0x0010, 0x0020):  # CD and AD bits in the query are not echoed as AA
                flags = (rd << 8) | extra
                resp = std.udp_raw(header(qid=qid, flags=flags) + question(qname, qtype))
                assert resp is not None
                h = parse_header(resp)
                where = "%s type %d rd=%d flags=%#x" % (qname, qtype, rd, flags)
                assert h["id"] == qid, where
                assert h["qr"] == 1 and h["opcode"] == 0, where
                assert h["rcode"] == rcode, "%s: rcode %d want %d" % (where, h["rcode"], rcode)
                assert h["aa"] == aa, "%s: AA=%d want %d" % (where, h["aa"], aa)
                assert h["rd"] == rd, "%s: RD not echoed" % where
                assert h["ra"] == 0, "%s: RA set" % where
                assert h["tc"] == 0, where


# ---------------------------------------------------------------------------------------------
# EDNS


def test_edns_opt_echoed(std):
    r = std.query(name4("192.0.2.1"), "A")
    assert r.edns == -1, "OPT in the answer to a query without OPT"
    for qname, rcode in ((name4("192.0.2.1"), dns.rcode.NOERROR),
                         (name4("192.0.2.3"), dns.rcode.NXDOMAIN),
                         ("example.com", dns.rcode.REFUSED)):
        for dnssec in (False, True):
            r = std.query(qname, "A", use_edns=0, payload=4096, want_dnssec=dnssec)
            assert r.rcode() == rcode, "%s: %s" % (qname, rname(r))
            assert r.edns == 0, "%s: no OPT / version %d" % (qname, r.edns)
            assert r.payload == 1232, "%s: OPT size %d" % (qname, r.payload)
            assert not r.ednsflags & dns.flags.DO, "%s: DO not cleared" % qname
            assert (r.ednsflags >> 24) == 0


@pytest.mark.parametrize("version", [1, 2, 255])
def test_edns_badvers(std, version):
    # Built by hand: dnspython's make_query(use_edns=1) means "EDNS on", i.e. version 0.
    wire = header(qid=0x0BAD, ar=1) + question(name4("192.0.2.1")) + opt_rr(4096, version=version)
    resp = std.udp_raw(wire)
    assert resp is not None
    h = parse_header(resp)
    assert h["rcode"] == 0, "header rcode %d, want 0 (BADVERS lives in the OPT)" % h["rcode"]
    assert h["an"] == 0 and h["id"] == 0x0BAD
    r = dns.message.from_wire(resp)
    assert r.edns == 0, "OPT version %d, want 0" % r.edns
    assert r.payload == 1232
    assert r.rcode() == dns.rcode.BADVERS, rname(r)
    assert (r.ednsflags >> 24) & 0xFF == 1
    assert not r.answer


def test_edns_unknown_options_ignored(std):
    for opts in ([dns.edns.GenericOption(65001, b"hello")],
                 [dns.edns.GenericOption(65002, b"")],
                 [dns.edns.GenericOption(65001, b"x" * 100), dns.edns.GenericOption(65003, b"y")],
                 [dns.edns.GenericOption(65004, b"z" * 1400)]):  # a query bigger than 512
        for tcp in (False, True):
            r = std.query(name4("192.0.2.2"), "TXT", use_edns=0, payload=4096, options=opts,
                          tcp=tcp)
            assert r.rcode() == dns.rcode.NOERROR, rname(r)
            assert r.edns == 0 and r.payload == 1232
            assert rrset_values(r, "TXT") == ["Own text for 192.0.2.2"]


def test_truncation_and_tcp_fallback(std, longtxt):
    ip = "192.0.2.60"
    want = LONG_TXT.replace("$", ip)
    for qtype in ("TXT", "ANY"):
        q = longtxt.make_query(name4(ip), qtype)
        qwire = q.to_wire()
        resp = longtxt.udp_raw(qwire)
        assert resp is not None
        h = parse_header(resp)
        assert h["tc"] == 1, "%s %s over UDP without EDNS: TC not set" % (ip, qtype)
        assert (h["qd"], h["an"], h["ns"], h["ar"]) == (1, 0, 0, 0), h
        assert h["rcode"] == 0 and h["aa"] == 1
        assert resp[12:] == qwire[12:], "truncated answer is not header + question"
        r = longtxt.query(q, tcp=True)
        assert not r.flags & dns.flags.TC
        assert rrset_values(r, "TXT") == [want]
        if qtype == "ANY":
            assert rrset_values(r, "A") == ["127.0.0.2"]

    # With EDNS the limit is min(client size, 1232) but never below 512.
    def udp_edns(payload):
        q = longtxt.make_query(name4(ip), "TXT", use_edns=0, payload=payload)
        return longtxt.udp_raw(q.to_wire())

    q = longtxt.make_query(name4(ip), "TXT", use_edns=0, payload=4096)
    full = longtxt.query(q, tcp=True)
    size = len(full.to_wire())
    assert 512 < size <= 1232, "unexpected full answer size %d" % size
    for payload, tc in ((4096, 0), (1232, 0), (size, 0), (size - 1, 1), (600, 1), (100, 1)):
        resp = udp_edns(payload)
        h = parse_header(resp)
        assert h["tc"] == tc, "EDNS payload %d, answer %d bytes: TC=%d" % (payload, size, h["tc"])
        assert len(resp) <= max(512, min(payload, 1232))
        r = dns.message.from_wire(resp)
        assert r.edns == 0, "OPT missing from %s answer" % ("truncated" if tc else "full")
        if tc:
            assert not r.answer and not r.authority
        else:
            assert rrset_values(r, "TXT") == [want]

    # A small client size still allows 512 bytes: the 255-byte TXT fits.
    q = std.make_query(name4("192.0.2.61"), "TXT", use_edns=0, payload=100)
    r = dns.message.from_wire(std.udp_raw(q.to_wire()))
    assert not r.flags & dns.flags.TC
    assert rrset_values(r, "TXT") == [TXT255.replace("$", "192.0.2.61")]


def test_edns_udp_size_config(daemon):
    d = long_daemon(daemon, extra_dns={"edns_udp_size": 1024})
    r = d.query(name4("192.0.2.1"), "A", use_edns=0, payload=4096)
    assert r.payload == 1024
    q = d.make_query(name4("192.0.2.60"), "TXT", use_edns=0, payload=4096)
    resp = d.udp_raw(q.to_wire())
    h = parse_header(resp)
    assert h["tc"] == 1 and h["an"] == 0, "1080-byte answer with edns_udp_size = 1024: %s" % h
    assert len(resp) <= 1024
    r = d.query(q, tcp=True)
    assert rrset_values(r, "TXT") == [LONG_TXT.replace("$", "192.0.2.60")]


# ---------------------------------------------------------------------------------------------
# TCP


def test_tcp_pipelining(std):
    batch = [
        (name4("192.0.2.1"), "A", dns.rcode.NOERROR, ["127.0.0.2"]),
        (name4("192.0.2.3"), "A", dns.rcode.NXDOMAIN, []),
        (name4("192.0.2.62"), "TXT", dns.rcode.NOERROR, [TXT256.replace("$", "192.0.2.62")]),
        ("example.com", "A", dns.rcode.REFUSED, []),
        (name6("2001:db8:3::2"), "TXT", dns.rcode.NOERROR, ["v6 range 2001:db8:3::2"]),
        (ZONE, "NS", dns.rcode.NOERROR, None),
        (name4("192.0.2.2"), "TXT", dns.rcode.NOERROR, ["Own text for 192.0.2.2"]),
    ]
    with std.tcp_connect() as s:
        for round_ in range(3):
            qs = [std.make_query(n, t) for n, t, _, _ in batch]
            for i, q in enumerate(qs):
                q.id = (round_ * 100 + i) & 0xFFFF
            resps = tcp_send_recv(s, [q.to_wire() for q in qs])
            for q, wire, (n, t, rcode, values) in zip(qs, resps, batch):
                r = dns.message.from_wire(wire)
                assert r.id == q.id, "answers out of order: id %d, want %d" % (r.id, q.id)
                assert r.rcode() == rcode, "%s %s: %s" % (n, t, rname(r))
                if values is not None:
                    assert rrset_values(r, t) == values, "%s %s" % (n, t)
        # A query written in pieces (length prefix split, body split) is still answered.
        q = std.make_query(name4("192.0.2.50"), "A")
        wire = q.to_wire()
        msg = struct.pack("!H", len(wire)) + wire
        for piece in (msg[:1], msg[1:2], msg[2:10], msg[10:]):
            s.sendall(piece)
            time.sleep(0.05)
        (n,) = struct.unpack("!H", recv_exact(s, 2))
        r = dns.message.from_wire(recv_exact(s, n))
        assert r.id == q.id and rrset_values(r, "A") == ["127.0.0.10"]


# ---------------------------------------------------------------------------------------------
# Listen addresses, data file types, statistics


@pytest.mark.skipif(not HAVE_IPV6, reason="::1 is not available on this machine")
def test_ipv6_listener(std):
    for ip, a, txt in STD_EXPECT[:12] + STD_EXPECT[-8:]:
        check_answer(std, ip, a, txt, family=6)
        check_answer(std, ip, a, txt, family=6, tcp=True)
    r = std.query(ZONE, "SOA", family=6)
    assert r.answer[0][0].serial == current_serial(std)


def test_data_type_detected_per_line(daemon):
    mixed = (":127.0.0.3:Mixed $\n"
             "192.0.2.7\n"
             "2001:db8:7::/64\n"
             "!2001:db8:7::7\n"
             "198.51.100.0/25 :127.0.0.4:Low half $\n")
    d = daemon(conf={"dns": {"data": ["{data}/mixed.txt", "{data}/more.txt"]}},
               data={"mixed.txt": mixed, "more.txt": "192.0.2.8\n2001:db8:8::8\n"})
    check_answer(d, "192.0.2.7", "127.0.0.3", "Mixed 192.0.2.7")
    check_answer(d, "2001:db8:7::1", "127.0.0.3", "Mixed 2001:db8:7::1")
    check_answer(d, "2001:db8:7::7", None, None)
    check_answer(d, "198.51.100.127", "127.0.0.4", "Low half 198.51.100.127")
    check_answer(d, "198.51.100.128", None, None)
    check_answer(d, "192.0.2.8", "127.0.0.2", dtxt("192.0.2.8"))
    check_answer(d, "2001:db8:8::8", "127.0.0.2", dtxt("2001:db8:8::8"))


def test_stats_on_sigusr1(daemon):
    d = std_daemon(daemon)
    sent = [(name4("192.0.2.1"), "A"), (name4("192.0.2.2"), "TXT"), (name4("192.0.2.50"), "ANY"),
            (ZONE, "SOA"), (name4("192.0.2.3"), "A"), (name4("192.0.2.4"), "TXT"),
            ("example.com", "A")]
    for qname, qtype in sent:
        d.query(qname, qtype)
    since = d.log_offset()
    d.signal(signal.SIGUSR1)
    m = d.wait_log(r"^ipbld: dns: stats (.*)$", 5.0, since)
    fields = dict(kv.split("=", 1) for kv in m.group(1).split())
    for key in ("queries", "noerror", "formerr", "servfail", "nxdomain", "notimp", "refused",
                "badvers", "truncated", "dropped", "tcp", "a", "txt", "any", "soa", "ns",
                "other"):
        assert key in fields and fields[key].isdigit(), "stats line lacks %s: %s" % (key, m.group(0))
    got = {k: int(v) for k, v in fields.items()}
    assert got["queries"] == 7, m.group(0)
    assert (got["noerror"], got["nxdomain"], got["refused"]) == (4, 2, 1), m.group(0)
    assert (got["formerr"], got["servfail"], got["tcp"]) == (0, 0, 0), m.group(0)
    assert got["txt"] == 2 and got["any"] == 1 and got["soa"] == 1, m.group(0)
