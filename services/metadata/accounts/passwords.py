"""Password hashing with Argon2id (memory-hard), through argon2-cffi."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the username does not exist, so an unknown name costs the same time
# as a wrong password and response times do not reveal which usernames are taken.
_DUMMY_HASH = _hasher.hash("onepic-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def needs_rehash(stored_hash: str) -> bool:
    """Whether a hash was made with other parameters than today's (argon2-cffi's defaults
    grow over the years): it is replaced at the next successful sign-in."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
