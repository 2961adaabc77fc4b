"""The customer book: schema, services, search, validation. Works on a plain sqlite3 connection."""
