"""The Ed25519 key that signs the evidence log: where it comes from, and how it is shown.

``MONITOR_SIGNING_KEY`` wins when set (CI keeps it as a secret); otherwise a
PEM file, generated on first use with mode 0600. A key is shown as base64 of
its 32 raw public bytes, and fingerprinted OpenSSH style, so that anyone can
compare it with ``ssh-keygen -lf`` habits. No message here ever holds key
material: errors name the file or the variable, never the value.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from monitor.store.files import atomic_write, fsync_directory

ENVIRONMENT = "MONITOR_SIGNING_KEY"

# Filesystems that cannot hard-link (some FUSE and SMB mounts) say so with one of these.
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


class KeyProblem(Exception):
    """The signing key cannot be had; the message says why and never shows the key."""


def load_signing_key(path: Path, environ: Mapping[str, str] = os.environ) -> Ed25519PrivateKey:
    """The key that signs checkpoints: the environment's, else the file's, else a new file.

    Two processes starting at once end with one key: the file appears whole
    under its name or not at all, and the one that loses the race reads the
    winner's. A file readable by others is still used (refusing would stop
    the evidence); ``key_file_warning`` says so."""
    if ENVIRONMENT in environ:
        return _key_from_environment(environ[ENVIRONMENT])
    try:
        return _key_from_pem(path.read_bytes(), str(path))
    except FileNotFoundError:
        pass
    key = Ed25519PrivateKey.generate()
    if write_once(path, _pem(key), mode=0o600):
        return key
    return _key_from_pem(path.read_bytes(), str(path))  # another process made it first


def key_file_warning(path: Path) -> str | None:
    """A warning when the key file can be read (or changed) by other users; None when fine."""
    if os.name != "posix":  # Windows reports 0o666 for every file it can write
        return None
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if mode & 0o044:
        return f"{path.name} is readable by other users: chmod 600 {path}"
    if mode & 0o022:
        return f"{path.name} is writable by other users: chmod 600 {path}"
    return None


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Base64 (standard, padded) of the 32 raw public bytes: how checkpoints name their signer."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_from_text(text: str) -> Ed25519PublicKey:
    """The key that ``public_key_text`` wrote; KeyProblem when the text is not one."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise KeyProblem("not a public key: expected base64 of 32 bytes") from None
    if len(raw) != 32:
        raise KeyProblem(f"not a public key: {len(raw)} bytes, expected 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(key: Ed25519PublicKey | Ed25519PrivateKey | str) -> str:
    """``SHA256:`` + unpadded base64 of sha256 of the raw public key, as OpenSSH shows keys."""
    public = public_from_text(key) if isinstance(key, str) else key
    raw = base64.b64decode(public_key_text(public))
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode("ascii").rstrip("=")


def rotate_key(path: Path, environ: Mapping[str, str] = os.environ, *,
               now: datetime | None = None) -> tuple[Ed25519PrivateKey, Ed25519PrivateKey]:
    """Replace the key file with a new key; (old, new). The old is kept beside it.

    The old file is kept as ``<path>.<yyyymmddThhmmssZ>.old`` (0600) before the
    new one replaces it, so no crash loses the key the log last named. The
    caller then appends a ``rotate`` checkpoint signed by ``old`` that names
    ``new``; if that fails, putting the ``.old`` file back undoes the rotation."""
    if ENVIRONMENT in environ:
        raise KeyProblem(f"the key comes from {ENVIRONMENT}: set the new key there")
    try:
        old_bytes = path.read_bytes()
    except FileNotFoundError:
        raise KeyProblem(f"there is no signing key at {path} to rotate") from None
    old = _key_from_pem(old_bytes, str(path))
    when = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}.{when}.old")
    if not write_once(kept, old_bytes, mode=0o600) and kept.read_bytes() != old_bytes:
        raise KeyProblem(f"{kept} already holds another key: rotate again in a second")
    new = Ed25519PrivateKey.generate()
    atomic_write(path, _pem(new), mode=0o600)
    return old, new


def write_once(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Write ``path`` whole if it does not exist yet; False (and nothing written) if it does.

    Written to a temporary file, fsynced, then hard-linked to its name: a link
    never replaces a file, so two writers cannot both win, and a crash leaves
    no name pointing at half a file (only a ``.*.tmp`` that readers skip). It
    lives here because the key file is the first write-once file; the log's
    checkpoints and timestamp tokens use it too. Where the filesystem has no
    hard links, the file is created with O_EXCL under its name instead: still
    one winner, but a crash mid-write can leave it short (verify then names it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            os.fchmod(fd, mode)
            _write_all(fd, data)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError as error:
            if error.errno not in _NO_LINKS:
                raise
            return _write_exclusive(path, data, mode)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    fsync_directory(path.parent)
    return True


def _write_exclusive(path: Path, data: bytes, mode: int) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)
    fsync_directory(path.parent)
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _key_from_environment(value: str) -> Ed25519PrivateKey:
    text = value.strip()
    if not text:
        raise KeyProblem(f"{ENVIRONMENT} is set but empty")
    if text.startswith("-----BEGIN"):
        return _key_from_pem(text.encode("ascii", "replace"), ENVIRONMENT)
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyProblem(f"{ENVIRONMENT} is neither a PEM private key nor base64 of the "
                         "32 raw bytes of an Ed25519 private key")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _key_from_pem(data: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyProblem(f"{where}: the key is encrypted; give it unencrypted") from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeyProblem(f"{where} does not hold a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{where} holds a private key that is not Ed25519")
    return key


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
