-- SPDX-License-Identifier: BSD-2-Clause
-- Challenges by subject line (issue #5, disputes): the sender of a reported mailing often
-- knows only its Subject. Each report keeps a key of the reported spam's Subject (BLAKE2b-128
-- of the normalised text, 32 hex digits; never the text itself); reports stored before this
-- migration have none (NULL) and are found by number only. A challenge case may cover
-- several reports (one mailing, several reporters): case_reports links them, and the case's
-- report_id stays the first of them for what reads it.
ALTER TABLE reports ADD COLUMN subject_key TEXT
	CHECK (subject_key IS NULL OR length(subject_key) = 32);
-- the form's lookup: the reports naming one address with one subject key, oldest first
-- (only keyed reports are indexed; a query on subject_key = ? implies NOT NULL)
CREATE INDEX reports_subject ON reports(ip, subject_key, received_ms)
	WHERE subject_key IS NOT NULL;

CREATE TABLE case_reports (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	report_id INTEGER NOT NULL REFERENCES reports(id),
	PRIMARY KEY (case_id, report_id)
) STRICT, WITHOUT ROWID;
-- is this report under an open challenge?
CREATE INDEX case_reports_report ON case_reports(report_id);
-- the challenges filed before this migration cover their one report
INSERT INTO case_reports (case_id, report_id)
	SELECT id, report_id FROM cases WHERE report_id IS NOT NULL;
