"""custbook: a terminal customer book over one encrypted local file."""
