-- What retention runs and erasures did, for accountability: when, what,
-- and how many rows or keys went. Never an id, a pseudonym or a value.
CREATE SEQUENCE privacy_journal_seq;
CREATE TABLE privacy_journal (
    entry_id BIGINT PRIMARY KEY DEFAULT nextval('privacy_journal_seq'),
    recorded_at TIMESTAMPTZ NOT NULL,
    action VARCHAR NOT NULL,
    details JSON NOT NULL
);
