"""The signing key: from the environment or a 0600 file, fingerprinted as OpenSSH does."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monitor.evidence.keys import (
    KeyProblem,
    fingerprint,
    key_file_warning,
    load_signing_key,
    public_from_text,
    public_key_text,
    rotate_key,
    write_once,
)

ROOT = Path(__file__).resolve().parents[1]


def pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def test_first_use_writes_a_0600_key_that_later_loads_return(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    key = load_signing_key(path, {})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public_key_text(load_signing_key(path, {})) == public_key_text(key)
    assert key_file_warning(path) is None
    assert not [p for p in tmp_path.iterdir() if p.name != "signing.key"]  # no temporary left


def test_a_key_readable_by_others_is_used_and_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    key = load_signing_key(path, {})
    path.chmod(0o644)
    assert public_key_text(load_signing_key(path, {})) == public_key_text(key)
    assert key_file_warning(path) == (
        f"signing.key is readable by other users: chmod 600 {path}")
    assert key_file_warning(tmp_path / "absent.key") is None


def test_the_environment_wins_as_pem_or_as_base64_of_the_raw_bytes(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    key = Ed25519PrivateKey.generate()
    from_pem = load_signing_key(path, {"MONITOR_SIGNING_KEY": pem(key)})
    encoded = base64.b64encode(raw_private(key)).decode()
    from_raw = load_signing_key(path, {"MONITOR_SIGNING_KEY": f"  {encoded}\n"})
    assert public_key_text(from_pem) == public_key_text(from_raw) == public_key_text(key)
    assert not path.exists()  # no file made when the environment has the key


@pytest.mark.parametrize("value", ["", "not a key", base64.b64encode(b"x" * 31).decode(),
                                   "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"])
def test_anything_else_in_the_environment_is_refused_without_showing_it(
        tmp_path: Path, value: str) -> None:
    with pytest.raises(KeyProblem) as raised:
        load_signing_key(tmp_path / "signing.key", {"MONITOR_SIGNING_KEY": value})
    assert "MONITOR_SIGNING_KEY" in str(raised.value)
    assert not value or value not in str(raised.value)
    problem = raised.value  # no chained error, which could hold the value, is shown either
    assert problem.__cause__ is None
    assert problem.__context__ is None or problem.__suppress_context__


def test_a_key_of_another_kind_is_refused(tmp_path: Path) -> None:
    other = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    with pytest.raises(KeyProblem, match="not Ed25519"):
        load_signing_key(tmp_path / "k", {"MONITOR_SIGNING_KEY": other})
    path = tmp_path / "signing.key"
    path.write_text("garbage")
    with pytest.raises(KeyProblem, match="does not hold a PEM private key") as raised:
        load_signing_key(path, {})
    assert "garbage" not in str(raised.value)


def test_an_encrypted_key_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))
    with pytest.raises(KeyProblem, match="encrypted"):
        load_signing_key(path, {})


def test_public_text_and_fingerprint_match_openssh(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    text = public_key_text(key)
    raw = base64.b64decode(text)
    assert len(raw) == 32 and text.endswith("=")
    assert public_key_text(public_from_text(text)) == text
    expected = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    assert fingerprint(key.public_key()) == fingerprint(text) == "SHA256:" + expected
    openssh = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                            serialization.PublicFormat.OpenSSH)
    (tmp_path / "key.pub").write_bytes(openssh)
    try:
        shown = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "key.pub")],
                               capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("ssh-keygen is not installed")
    # ssh-keygen hashes the SSH wire form, not the raw key: only the style is shared.
    assert shown.split()[1].startswith("SHA256:") and "=" not in shown.split()[1]


def test_public_from_text_refuses_what_is_not_a_key() -> None:
    with pytest.raises(KeyProblem):
        public_from_text("not base64!")
    with pytest.raises(KeyProblem):
        public_from_text(base64.b64encode(b"short").decode())


def test_two_processes_starting_at_once_end_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from monitor.evidence.keys import load_signing_key, public_key_text
        start = float(sys.argv[1])
        while time.time() < start:
            pass
        print(public_key_text(load_signing_key(Path({str(path)!r}), {{}})))
    """)
    start = subprocess.run([sys.executable, "-c", "import time; print(time.time() + 1.5)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    processes = [subprocess.Popen([sys.executable, "-c", script, start], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True) for _ in range(6)]
    shown = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert shown == {public_key_text(load_signing_key(path, {}))}


def test_write_once_never_replaces(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "file"
    assert write_once(path, b"first", mode=0o644)
    assert not write_once(path, b"second")
    assert path.read_bytes() == b"first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(path.parent) == ["file"]


def test_rotation_keeps_the_old_key_beside_the_new(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    first = load_signing_key(path, {})
    moment = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    old, new = rotate_key(path, {}, now=moment)
    assert public_key_text(old) == public_key_text(first) != public_key_text(new)
    assert public_key_text(load_signing_key(path, {})) == public_key_text(new)
    kept = tmp_path / "signing.key.20310506T070809Z.old"
    assert public_key_text(load_signing_key(kept, {})) == public_key_text(first)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rotation_is_refused_for_a_key_from_the_environment_or_no_key(tmp_path: Path) -> None:
    environ = {"MONITOR_SIGNING_KEY": pem(Ed25519PrivateKey.generate())}
    with pytest.raises(KeyProblem, match="the key comes from MONITOR_SIGNING_KEY: set the new"):
        rotate_key(tmp_path / "signing.key", environ)
    with pytest.raises(KeyProblem, match="no signing key"):
        rotate_key(tmp_path / "signing.key", {})
