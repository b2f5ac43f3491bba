-- SPDX-License-Identifier: BSD-2-Clause
-- What kind of mail each piece of evidence was: spam, or automatic mail (a misdirected
-- bounce or an auto-reply: backscatter from a server that is doing its job), so the lookup
-- page and the deputies can tell the two apart.
ALTER TABLE reports ADD COLUMN kind TEXT NOT NULL DEFAULT 'spam'
	CHECK (kind IN ('spam', 'bounce', 'auto-reply'));
ALTER TABLE trap_hits ADD COLUMN kind TEXT NOT NULL DEFAULT 'spam'
	CHECK (kind IN ('spam', 'bounce', 'auto-reply'));
