"""Secret tokens (share links, calendar feeds, login sessions) are stored only as their hash."""

import hashlib


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
