-- SPDX-License-Identifier: BSD-2-Clause
-- What the listing engine asks of the store: a reporter's reports (re-deciding its addresses
-- when it is fined or banned) and a reporter by the hash of its API key (the web API).
CREATE INDEX reports_reporter ON reports(reporter_id, received_ms);
CREATE UNIQUE INDEX reporters_key ON reporters(api_key_hash);
