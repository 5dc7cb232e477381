"""Secrets: Argon2id password hashes, and random tokens of which only a SHA-256 is stored.

Pure functions, no SQL: `store.accounts` keeps what these return; `web` and `cli` call both.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
# Verified when the user is unknown, so that both answers take the same time (no enumeration).
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class PasswordError(ValueError):
    """A password that cannot be used (too short, too long, not text)."""


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise PasswordError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise PasswordError(f"a password has at most {MAX_PASSWORD} characters")
    if "\x00" in password or not password.strip():
        raise PasswordError("a password must be printable text")
    return password


def hash_password(password: str) -> str:
    return HASHER.hash(check_new_password(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; an unknown user (None) costs the same time and fails."""
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, password[:MAX_PASSWORD]) and (
            stored_hash is not None)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with other parameters than today's: store a fresh one."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def new_secret(prefix: str = "") -> str:
    """A fresh random secret (256 bits), shown once and never stored as it is."""
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What the database keeps of a token or session id: lookups by hash, no plain copy."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def fever_key(user_name: str, app_password: str) -> str:
    """The Fever API's api_key, md5 of "user:password", as every Fever app computes it. Only
    `secret_hash(fever_key(...))` is stored."""
    raw = f"{user_name}:{app_password}".encode()
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()
