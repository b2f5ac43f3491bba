-- SPDX-License-Identifier: BSD-2-Clause
-- The first schema: reporters, reports, trap hits, listings, the audit log and the zone
-- journal. Times are milliseconds since the Unix epoch (UTC). Addresses are in their
-- canonical text form (dotted quad, RFC 5952).

CREATE TABLE reporters (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	api_key_hash TEXT NOT NULL,
	mailhosts TEXT NOT NULL DEFAULT '',
	standing TEXT NOT NULL DEFAULT 'good' CHECK (standing IN ('good', 'fined', 'banned')),
	fines INTEGER NOT NULL DEFAULT 0 CHECK (fines >= 0),
	created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE reports (
	id INTEGER PRIMARY KEY,
	reporter_id INTEGER REFERENCES reporters(id),
	ip TEXT NOT NULL,
	received_ms INTEGER NOT NULL,
	digest TEXT NOT NULL UNIQUE,
	evidence TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'counted' CHECK (state IN ('counted', 'withdrawn', 'voided'))
) STRICT;
CREATE INDEX reports_ip ON reports(ip, received_ms);

CREATE TABLE trap_hits (
	id INTEGER PRIMARY KEY,
	trap_address TEXT NOT NULL,
	ip TEXT NOT NULL,
	helo TEXT NOT NULL DEFAULT '',
	received_ms INTEGER NOT NULL,
	digest TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX trap_hits_ip ON trap_hits(ip, received_ms);

CREATE TABLE listings (
	ip TEXT PRIMARY KEY,
	listed INTEGER NOT NULL CHECK (listed IN (0, 1)),
	listed_since_ms INTEGER NOT NULL DEFAULT 0,
	last_evidence_ms INTEGER NOT NULL DEFAULT 0,
	delist_at_ms INTEGER NOT NULL DEFAULT 0,
	deputy_delisted_ms INTEGER NOT NULL DEFAULT 0,
	reason_code TEXT NOT NULL DEFAULT '',
	reason_text TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX listings_delist ON listings(listed, delist_at_ms);

CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at_ms INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_ip ON audit(ip, at_ms);

-- serial -> the addresses that the change from serial - 1 listed and delisted
CREATE TABLE journal (
	serial INTEGER PRIMARY KEY,
	at_ms INTEGER NOT NULL,
	added TEXT NOT NULL DEFAULT '',
	removed TEXT NOT NULL DEFAULT ''
) STRICT;
