-- Dashboard and API accounts. Passwords are stored only as argon2 hashes;
-- password_changed_at is part of every signed login cookie, so changing a
-- password ends the logins made with the old one.
CREATE TABLE accounts (
    name VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    password_changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
