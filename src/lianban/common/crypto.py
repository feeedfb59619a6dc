"""Personal data at rest: SM4-GCM encryption with key ids, HMAC-SM3 lookup digests (GB/T 32907, GB/T 32905).

A ciphertext is text: ``sm4g1$<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>``,
authenticated (GCM, 96-bit random nonce, 128-bit tag) with the column it
belongs to as associated data, so a value copied into another column does
not decrypt. The key id names the key that encrypted it: several keys may be
configured, the first encrypts, all decrypt (rotation: ``lianban keys rotate``).

Keys come from the environment (``LIANBAN_DATA_KEYS``: ``id:base64 16-byte
key`` entries, comma-separated, newest first; ``LIANBAN_LOOKUP_KEY``: base64,
at least 16 bytes, for digests). Without them only a DEBUG or demo run gets
the built-in demo keys; anything else refuses (:func:`keys_required`).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

#: Marks a ciphertext (and the format version).
PREFIX = "sm4g1"
_TOKEN = re.compile(r"^sm4g1\$([A-Za-z0-9_-]{1,16})\$([A-Za-z0-9_-]+=*)$")
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
NONCE_BYTES, TAG_BYTES = 12, 16

#: Demo-only keys: public, used only by DEBUG and ``lianban demo`` runs without configured keys.
DEMO_DATA_KEYS = ("demo:bGlhbmJhbi1kZW1vLWtleQ==",)
DEMO_LOOKUP_KEY = "bGlhbmJhbi1kZW1vLWxvb2t1cC1rZXk="

#: Set by ``lianban demo``: the demo keys are acceptable for this process.
_demo_allowed = False


class DecryptionFailed(Exception):
    """A ciphertext that no configured key opens, or that was changed."""


@dataclass(frozen=True, slots=True)
class Keyring:
    """The data keys (first = current) and the lookup key."""

    data_keys: tuple[tuple[str, bytes], ...]
    lookup_key: bytes
    demo: bool

    @property
    def current_id(self) -> str:
        """The id of the key new ciphertexts use."""
        return self.data_keys[0][0]

    def key(self, key_id: str) -> bytes:
        """The data key with this id (``DecryptionFailed`` if not configured)."""
        for kid, key in self.data_keys:
            if kid == key_id:
                return key
        raise DecryptionFailed(f"no data key {key_id!r} configured (LIANBAN_DATA_KEYS)")


def demo_keys_allow() -> None:
    """Let this process use the demo keys when none are configured (``lianban demo`` only)."""
    global _demo_allowed
    _demo_allowed = True
    keyring.cache_clear()


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what}: not base64") from exc


def _parse_data_keys(entries: list[str]) -> tuple[tuple[str, bytes], ...]:
    keys: list[tuple[str, bytes]] = []
    for entry in entries:
        kid, sep, encoded = entry.strip().partition(":")
        if not sep or not _KEY_ID.match(kid):
            raise ImproperlyConfigured("LIANBAN_DATA_KEYS: each entry is id:base64key, the id 1-16 of [A-Za-z0-9_-]")
        key = _b64(encoded, f"LIANBAN_DATA_KEYS key {kid}")
        if len(key) != 16:
            raise ImproperlyConfigured(f"LIANBAN_DATA_KEYS key {kid}: an SM4 key is 16 bytes, not {len(key)}")
        if any(kid == known for known, _key in keys):
            raise ImproperlyConfigured(f"LIANBAN_DATA_KEYS: key id {kid} twice")
        keys.append((kid, key))
    return tuple(keys)


@cache
def keyring() -> Keyring:
    """The configured keys; the demo keys for DEBUG/demo runs without any; else ``ImproperlyConfigured``."""
    entries = [e for e in settings.LIANBAN_DATA_KEYS if e.strip()]
    lookup = settings.LIANBAN_LOOKUP_KEY
    if entries and lookup:
        lookup_key = _b64(lookup, "LIANBAN_LOOKUP_KEY")
        if len(lookup_key) < 16:
            raise ImproperlyConfigured("LIANBAN_LOOKUP_KEY: at least 16 bytes")
        return Keyring(_parse_data_keys(entries), lookup_key, demo=False)
    if entries or lookup:
        raise ImproperlyConfigured("set both LIANBAN_DATA_KEYS and LIANBAN_LOOKUP_KEY (docs/security.md)")
    if settings.DEBUG or _demo_allowed:
        return Keyring(_parse_data_keys(list(DEMO_DATA_KEYS)), _b64(DEMO_LOOKUP_KEY, "demo"), demo=True)
    raise ImproperlyConfigured(
        "personal data keys missing: set LIANBAN_DATA_KEYS and LIANBAN_LOOKUP_KEY (docs/security.md); "
        "only DEBUG and `lianban demo` runs use built-in demo keys"
    )


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: object) -> None:
    if setting in ("LIANBAN_DATA_KEYS", "LIANBAN_LOOKUP_KEY", "DEBUG"):
        keyring.cache_clear()


def keys_required() -> Keyring:
    """The keyring, or ``ImproperlyConfigured``: called where a server starts, so it refuses without keys."""
    return keyring()


def is_ciphertext(value: object) -> bool:
    """Whether ``value`` is one of our ciphertexts."""
    return isinstance(value, str) and value.startswith(PREFIX + "$") and _TOKEN.match(value) is not None


def key_id_of(token: str) -> str:
    """The id of the key a ciphertext was made with."""
    match = _TOKEN.match(token)
    if match is None:
        raise DecryptionFailed("not a ciphertext")
    return match.group(1)


def encrypt(plaintext: str, context: str) -> str:
    """SM4-GCM ciphertext of ``plaintext`` under the current key, bound to ``context`` (the column)."""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.key(ring.current_id)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(context.encode())
    body = encryptor.update(plaintext.encode("utf-8", "surrogatepass")) + encryptor.finalize()
    blob = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode()
    return f"{PREFIX}${ring.current_id}${blob}"


def decrypt(token: str, context: str) -> str:
    """The plaintext of a ciphertext made for ``context`` (``DecryptionFailed`` if changed or unknown key)."""
    match = _TOKEN.match(token)
    if match is None:
        raise DecryptionFailed("not a ciphertext")
    key = keyring().key(match.group(1))
    try:
        raw = base64.urlsafe_b64decode(match.group(2))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionFailed("damaged ciphertext") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("damaged ciphertext")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(context.encode())
    try:
        plain = decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionFailed(f"ciphertext for {context} changed or made for another column") from exc
    return plain.decode("utf-8", "surrogatepass")


def lookup_digest(value: str, context: str) -> str:
    """HMAC-SM3 of ``value`` for ``context`` under the lookup key: finds equal values without decrypting."""
    mac = hmac.HMAC(keyring().lookup_key, hashes.SM3())
    mac.update(context.encode() + b"\x00" + value.encode("utf-8", "surrogatepass"))
    return mac.finalize().hex()
