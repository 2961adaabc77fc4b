"""Finding customers: the index kept at write time (index.py, keys.py), the query
language (query.py) and the ranked search over both (engine.py)."""
