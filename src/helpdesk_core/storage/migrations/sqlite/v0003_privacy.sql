-- Privacy: the audit trail of forgetting (hashes only), consent ledgers, legal holds.
CREATE TABLE audit_records (id TEXT PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE consents (id TEXT PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE legal_holds (id TEXT PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL)
