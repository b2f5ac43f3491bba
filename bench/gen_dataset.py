#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Deterministic benchmark dataset for ipbld and rbldnsd (rbldnsd data formats).

Writes, into --out:
  ip4set.txt   default line, N random public IPv4 /32 and M CIDR ranges (random order)
  ip4tset.txt  the same /32s only (rbldnsd ip4tset: the memory reference)
  ip6trie.txt  default line and K random IPv6 /64s in 2000::/3
  small4.txt / small6.txt  a 100-entry dataset (memory baseline of an almost empty server)
  queries.txt  query names (A), a mix of listed and unlisted IPv4 and IPv6 addresses
  meta.json    counts, seed and the mix
Same arguments and seed -> byte-identical files.
"""

import argparse
import ipaddress
import json
import os
import random
import sys

ZONE = "bl.example.org"
DEFAULT_LINE = ":127.0.0.2:Listed - see http://127.0.0.1:8080/lookup?ip=$"

# Not public unicast IPv4: never listed and never used as an "unlisted public" query.
RESERVED4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
    )
]
RESERVED4_RANGES = [(int(n.network_address), int(n.broadcast_address)) for n in RESERVED4]

# CIDR prefix lengths and weights: mostly /24, some larger and smaller blocks.
CIDR_LENS = [(16, 2), (18, 3), (20, 5), (22, 10), (23, 10), (24, 45), (25, 8), (26, 8),
             (27, 5), (28, 4)]

# Query mix (fractions of the query file).
MIX = {
    "ip4_listed_host": 0.40,
    "ip4_in_cidr": 0.10,
    "ip4_unlisted": 0.40,
    "ip6_listed": 0.05,
    "ip6_unlisted": 0.05,
}


def is_reserved4(a):
    for lo, hi in RESERVED4_RANGES:
        if lo <= a <= hi:
            return True
    return False


def rand_public4(rng):
    while True:
        a = rng.getrandbits(32)
        if not is_reserved4(a):
            return a


def ip4_str(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def ip4_qname(a):
    return "%d.%d.%d.%d.%s" % (a & 255, (a >> 8) & 255, (a >> 16) & 255, a >> 24, ZONE)


def ip6_qname(a):
    nibbles = "%032x" % a
    return ".".join(reversed(nibbles)) + "." + ZONE


def ip6_64_str(top64):
    h = "%016x" % top64
    return "%s:%s:%s:%s::/64" % (h[0:4], h[4:8], h[8:12], h[12:16])


class Dataset:
    """The generated entries, kept in memory so callers (run.py) can rewrite variants."""

    def __init__(self, hosts, cidrs, v6, seed):
        rng = random.Random(seed)
        self.seed = seed
        host_set = set()
        while len(host_set) < hosts:
            host_set.add(rand_public4(rng))
        self.hosts = list(host_set)
        rng.shuffle(self.hosts)
        lens = [length for length, _ in CIDR_LENS]
        weights = [w for _, w in CIDR_LENS]
        cidr_set = set()
        self.cidrs = []
        while len(self.cidrs) < cidrs:
            length = rng.choices(lens, weights)[0]
            a = rand_public4(rng)
            net = a & ~((1 << (32 - length)) - 1) & 0xFFFFFFFF
            if is_reserved4(net) or is_reserved4(net | ((1 << (32 - length)) - 1)):
                continue
            if (net, length) in cidr_set:
                continue
            cidr_set.add((net, length))
            self.cidrs.append((net, length))
        self.cidr_index = {}
        for net, length in self.cidrs:
            self.cidr_index.setdefault(length, set()).add(net)
        v6_set = set()
        while len(v6_set) < v6:
            v6_set.add((0x2 << 60) | rng.getrandbits(61))  # 2000::/3
        self.v6 = list(v6_set)
        rng.shuffle(self.v6)
        self.v6_set = v6_set
        self.host_set = host_set
        self.rng = rng

    def listed4(self, a):
        if a in self.host_set:
            return True
        for length, nets in self.cidr_index.items():
            if (a & ~((1 << (32 - length)) - 1) & 0xFFFFFFFF) in nets:
                return True
        return False

    def ip4set_lines(self, extra=()):
        """The ip4set file as a list of lines (without newlines)."""
        lines = [
            "# ipbl benchmark dataset: %d hosts, %d CIDRs, seed %d"
            % (len(self.hosts), len(self.cidrs), self.seed),
            DEFAULT_LINE,
        ]
        lines.extend(ip4_str(a) for a in self.hosts)
        lines.extend("%s/%d" % (ip4_str(n), length) for n, length in self.cidrs)
        lines.extend(extra)
        return lines

    def write(self, out, queries):
        os.makedirs(out, exist_ok=True)
        write_lines(os.path.join(out, "ip4set.txt"), self.ip4set_lines())
        write_lines(os.path.join(out, "ip4tset.txt"),
                    [DEFAULT_LINE] + [ip4_str(a) for a in self.hosts])
        write_lines(os.path.join(out, "ip6trie.txt"),
                    ["# ipbl benchmark dataset: %d IPv6 /64s" % len(self.v6), DEFAULT_LINE]
                    + [ip6_64_str(t) for t in self.v6])
        write_lines(os.path.join(out, "small4.txt"),
                    [DEFAULT_LINE] + [ip4_str(a) for a in self.hosts[:100]])
        write_lines(os.path.join(out, "small6.txt"),
                    [DEFAULT_LINE] + [ip6_64_str(t) for t in self.v6[:10]])
        counts = self.write_queries(os.path.join(out, "queries.txt"), queries)
        meta = {
            "seed": self.seed,
            "zone": ZONE,
            "ip4_hosts": len(self.hosts),
            "ip4_cidrs": len(self.cidrs),
            "ip6_64s": len(self.v6),
            "queries": queries,
            "query_mix": counts,
            "probe_listed": ip4_qname(self.hosts[0]),
            "files": ["ip4set.txt", "ip4tset.txt", "ip6trie.txt", "small4.txt", "small6.txt",
                      "queries.txt"],
        }
        with open(os.path.join(out, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")
        return meta

    def write_queries(self, path, n):
        rng = random.Random(self.seed + 1)
        kinds = list(MIX)
        weights = [MIX[k] for k in kinds]
        counts = dict.fromkeys(kinds, 0)
        names = []
        for _ in range(n):
            kind = rng.choices(kinds, weights)[0]
            if kind == "ip4_listed_host":
                name = ip4_qname(rng.choice(self.hosts))
            elif kind == "ip4_in_cidr":
                net, length = rng.choice(self.cidrs)
                name = ip4_qname(net + rng.randrange(1 << (32 - length)))
            elif kind == "ip4_unlisted":
                while True:
                    a = rand_public4(rng)
                    if not self.listed4(a):
                        break
                name = ip4_qname(a)
            elif kind == "ip6_listed":
                top = rng.choice(self.v6)
                name = ip6_qname((top << 64) | rng.getrandbits(64))
            else:
                while True:
                    top = (0x2 << 60) | rng.getrandbits(61)
                    if top not in self.v6_set:
                        break
                name = ip6_qname((top << 64) | rng.getrandbits(64))
            counts[kind] += 1
            names.append(name)
        write_lines(path, names)
        return counts


def write_lines(path, lines):
    """Writes lines atomically (temporary file + rename)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines))
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--hosts", type=int, default=1000000, help="IPv4 /32 entries")
    ap.add_argument("--cidrs", type=int, default=10000, help="IPv4 CIDR entries")
    ap.add_argument("--v6", type=int, default=10000, help="IPv6 /64 entries")
    ap.add_argument("--queries", type=int, default=500000, help="query names")
    ap.add_argument("--seed", type=int, default=5782)
    args = ap.parse_args(argv)
    if min(args.hosts, args.cidrs, args.v6, args.queries) < 100:
        ap.error("every count must be at least 100")
    ds = Dataset(args.hosts, args.cidrs, args.v6, args.seed)
    meta = ds.write(args.out, args.queries)
    json.dump(meta, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
