-- SPDX-License-Identifier: BSD-2-Clause
-- A report whose weight is set aside while a challenge of it is open (a dispute filed by the
-- admin of the address); a deputy's decision clears it (upheld) or voids the report.
ALTER TABLE reports ADD COLUMN challenged INTEGER NOT NULL DEFAULT 0 CHECK (challenged IN (0, 1));
