"""OpenSSH signatures (PROTOCOL.sshsig) over manifests, verified with `cryptography`'s
Ed25519: the format `ssh-keygen -Y sign` writes and Folio's builds sign with."""
from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from typing import Any, List, Tuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ._errors import ConfigurationError, TrustError

BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
ED25519 = "ssh-ed25519"


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.offset = 0

    def take(self, count: int, what: str) -> bytes:
        if count < 0 or self.offset + count > len(self.data):
            raise TrustError(f"the signature is cut short in {what}", "malformed")
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk

    def uint32(self, what: str) -> int:
        return struct.unpack(">I", self.take(4, what))[0]

    def string(self, what: str) -> bytes:
        return self.take(self.uint32(f"the length of {what}"), what)

    def text(self, what: str) -> str:
        try:
            return self.string(what).decode("utf-8")
        except UnicodeDecodeError:
            raise TrustError(f"{what} is not text", "malformed") from None

    @property
    def at_end(self) -> bool:
        return self.offset == len(self.data)


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


@dataclass(frozen=True)
class PublicKey:
    """An OpenSSH public key line (`ssh-ed25519 AAAA… comment`)."""
    blob: bytes
    comment: str

    @staticmethod
    def parse(line: str) -> "PublicKey":
        fields = line.split()
        if len(fields) < 2:
            raise ConfigurationError("a public key line needs a key type and a base64 key, like `ssh-ed25519 AAAA… comment`")
        try:
            blob = base64.b64decode(fields[1], validate=True)
        except ValueError:
            raise ConfigurationError(f"the {fields[0]} key is not valid base64") from None
        reader = _Reader(blob)
        try:
            kind = reader.text("the key type")
            raw = reader.string("the ed25519 public key") if kind == ED25519 else b""
        except TrustError as error:
            raise ConfigurationError(f"the public key does not parse: {error}") from None
        if kind != fields[0]:
            raise ConfigurationError(f"the key says it is {kind} but the line says {fields[0]}")
        if kind != ED25519 or len(raw) != 32 or not reader.at_end:
            raise ConfigurationError(f"{kind} keys are not supported: Folio verifies ssh-ed25519 signatures")
        return PublicKey(blob, " ".join(fields[2:]))

    @property
    def raw(self) -> bytes:
        return self.blob[-32:]

    @property
    def fingerprint(self) -> str:
        return "SHA256:" + base64.b64encode(hashlib.sha256(self.blob).digest()).decode().rstrip("=")


def armored_body(text: str) -> bytes:
    lines = [line.strip(" \t") for line in text.splitlines()]
    if BEGIN not in lines:
        raise TrustError(f"no {BEGIN} block", "malformed")
    start = lines.index(BEGIN) + 1
    if END not in lines[start:]:
        raise TrustError(f"no {END} line", "malformed")
    body = "".join(lines[start:lines.index(END, start)])
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:
        raise TrustError("the signature block is not valid base64", "malformed") from None


@dataclass(frozen=True)
class Signature:
    public_key: bytes
    namespace: str
    hash_algorithm: str
    signature_type: str
    signature: bytes

    @staticmethod
    def parse(armored: str) -> "Signature":
        reader = _Reader(armored_body(armored))
        if reader.take(6, "the signature preamble") != b"SSHSIG":
            raise TrustError("the signature does not start with SSHSIG", "malformed")
        version = reader.uint32("the signature version")
        if version != 1:
            raise TrustError(f"signature version {version} is not supported (only 1)", "malformed")
        public_key = reader.string("the public key")
        namespace = reader.text("the namespace")
        reader.string("the reserved field")
        hash_algorithm = reader.text("the hash algorithm")
        inner = _Reader(reader.string("the signature"))
        signature_type = inner.text("the signature type")
        signature = inner.string("the signature bytes")
        if not inner.at_end or not reader.at_end:
            raise TrustError("the signature has trailing bytes", "malformed")
        return Signature(public_key, namespace, hash_algorithm, signature_type, signature)

    def verify(self, payload: bytes, namespace: str, keys: List[PublicKey]) -> PublicKey:
        """The pinned key that made this signature over `payload` in `namespace`; raises
        TrustError (kind `key`, `namespace` or `signature`) otherwise."""
        key = next((candidate for candidate in keys if candidate.blob == self.public_key), None)
        if key is None:
            fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(self.public_key).digest()).decode().rstrip("=")
            raise TrustError(f"the manifest is signed by {fingerprint}, which is not one of the pinned keys", "key")
        if self.namespace != namespace:
            raise TrustError(f"the signature is for namespace '{self.namespace}', not '{namespace}'", "namespace")
        if self.hash_algorithm not in ("sha512", "sha256") or self.signature_type != ED25519:
            raise TrustError(f"a {self.signature_type} signature with {self.hash_algorithm} is not supported: Folio verifies ssh-ed25519", "signature")
        digest = (hashlib.sha256 if self.hash_algorithm == "sha256" else hashlib.sha512)(payload).digest()
        signed = b"SSHSIG" + _string(namespace.encode()) + _string(b"") + _string(self.hash_algorithm.encode()) + _string(digest)
        try:
            Ed25519PublicKey.from_public_bytes(key.raw).verify(self.signature, signed)
        except (InvalidSignature, ValueError):
            raise TrustError("the signature does not match the manifest's bytes", "signature") from None
        return key


def parse_keys(lines: Any) -> List[PublicKey]:
    """The pinned keys, or ConfigurationError saying what to pass instead. A private key's
    text never appears in a message."""
    if isinstance(lines, (str, bytes)):
        raise ConfigurationError("public_keys must be a list of OpenSSH public key lines: pass [key], not the key alone")
    try:
        lines = list(lines)
    except TypeError:
        raise ConfigurationError(f"public_keys must be a list of OpenSSH public key lines, not {type(lines).__name__}") from None
    if not lines:
        raise ConfigurationError("FolioClient needs at least one public key to verify manifests")
    keys = []
    for index, line in enumerate(lines):
        if not isinstance(line, str):
            raise ConfigurationError(f"public_keys[{index}] is {type(line).__name__}: pass the key line as text (`ssh-ed25519 AAAA… comment`)")
        if "PRIVATE KEY" in line:
            raise ConfigurationError(
                f"public_keys[{index}] is a private key: pass its public half, the one line of the .pub file (`ssh-ed25519 AAAA… comment`), and keep the private key out of the app")
        keys.append(PublicKey.parse(line.strip()))
    return keys


__all__: Tuple[str, ...] = ("PublicKey", "Signature", "parse_keys")
