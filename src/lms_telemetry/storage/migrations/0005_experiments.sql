-- Experiments defined through the admin API, beside those of the configuration.
CREATE TABLE experiments (
    key VARCHAR PRIMARY KEY,
    definition JSON NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
