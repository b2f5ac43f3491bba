-- SPDX-License-Identifier: BSD-2-Clause
-- Disputes and the deputy console: cases filed by the admin of a listed address (a question
-- about a listing) or by the sender of reported mail (a challenge of one report), the
-- messages on each case, deputy accounts and their login sessions. Secrets are never stored:
-- a case's link token and a session id are kept as their BLAKE2b-256 hash, a password as
-- its argon2id string.

CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL CHECK (kind IN ('ask', 'challenge')),
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
	ip TEXT NOT NULL DEFAULT '',
	report_id INTEGER REFERENCES reports(id),
	filer_name TEXT NOT NULL DEFAULT '',
	filer_address TEXT NOT NULL DEFAULT '',
	relationship TEXT NOT NULL DEFAULT '',
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_queue ON cases(status, updated_ms);
CREATE INDEX cases_report ON cases(report_id, status);

-- author: 'filer' or 'deputy NAME'
CREATE TABLE case_messages (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	at_ms INTEGER NOT NULL,
	author TEXT NOT NULL,
	body TEXT NOT NULL
) STRICT;
CREATE INDEX case_messages_case ON case_messages(case_id, id);

CREATE TABLE deputies (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE deputy_sessions (
	id_hash TEXT PRIMARY KEY,
	deputy_id INTEGER NOT NULL REFERENCES deputies(id),
	created_ms INTEGER NOT NULL,
	expires_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX deputy_sessions_expiry ON deputy_sessions(expires_ms);
