"""Encryption at rest for personal identifiers, and the keyed hash that makes them unique.

Keys come from settings.FIELD_KEY (environment or generated into the data directory). Two
independent keys are derived from it, one to encrypt (Fernet: AES-128-CBC + HMAC) and one to
hash, so the lookup hash reveals nothing even to someone holding the ciphertext.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"xuebi", info=purpose).derive(settings.FIELD_KEY.encode())


@functools.cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"field-encryption")))


@functools.cache
def _hash_key() -> bytes:
    return _derive(b"field-lookup-hash")


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def keyed_hash(value: str) -> str:
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()
