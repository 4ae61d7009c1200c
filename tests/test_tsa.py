"""RFC 3161 timestamps from a real authority: openssl ts behind an HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from monitor.core.model import TimestampAuthority
from monitor.evidence.log import append
from monitor.evidence.tsa import (
    TimestampFailed,
    request_token,
    stamp_latest,
    timestamp_query,
    token_time,
    verify_token,
    verify_tokens,
)

ROOT = Path(__file__).resolve().parents[1]

OPENSSL_CONFIG = """\
[ tsa ]
default_tsa = local_tsa

[ local_tsa ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def make_ca(folder: Path, name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    (folder / f"{name}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key, certificate


def make_tsa(folder: Path) -> None:
    """A CA (ca.pem) and a TSA certificate it issued (tsa.pem, tsa.key) for openssl ts."""
    ca_key, ca = make_ca(folder, "ca")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Local TSA")]))
        .issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256()))
    (folder / "tsa.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    (folder / "openssl.cnf").write_text(OPENSSL_CONFIG.format(folder=folder))


@dataclass
class LocalTSA:
    url: str
    ca_file: Path
    folder: Path
    requests: list[str]

    def authority(self, path: str = "/") -> TimestampAuthority:
        return TimestampAuthority(url=self.url + path.lstrip("/"), ca_file=self.ca_file)


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[LocalTSA]:
    folder = tmp_path / "tsa"
    folder.mkdir()
    make_tsa(folder)
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            requests.append(self.path)
            query = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path.startswith("/broken"):
                self.answer(500, b"down for maintenance")
            elif self.path.startswith("/garbage"):
                self.answer(200, b"<html>not a token</html>")
            else:
                self.answer(200, self.reply(query))

        def reply(self, query: bytes) -> bytes:
            with tempfile.TemporaryDirectory(dir=folder) as work:
                (Path(work) / "query.tsq").write_bytes(query)
                subprocess.run(["openssl", "ts", "-reply", "-config", str(folder / "openssl.cnf"),
                                "-queryfile", f"{work}/query.tsq", "-out", f"{work}/reply.tsr"],
                               check=True, capture_output=True)
                return (Path(work) / "reply.tsr").read_bytes()

        def answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTSA(f"http://127.0.0.1:{server.server_port}/", folder / "ca.pem", folder,
                       requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    key = Ed25519PrivateKey.generate()
    log_dir = tmp_path / "evidence" / "log"
    append(log_dir, key, head=None, captures=[hashlib.sha256(b"capture").hexdigest()])
    return log_dir


def down_url() -> str:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_a_token_is_obtained_and_verifies(tsa: LocalTSA, log_dir: Path) -> None:
    now = datetime.now(UTC)
    assert stamp_latest(log_dir, [tsa.authority()], now=now) == []
    token = log_dir / "00000001.1.tsr"
    assert token.is_file() and tsa.requests == ["/"]
    assert verify_tokens(log_dir, [tsa.authority()]) == []
    assert verify_tokens(log_dir, [TimestampAuthority(url=tsa.url)]) == []
    # anyone can check it with openssl alone
    subprocess.run(["openssl", "ts", "-verify", "-in", str(token), "-data",
                    str(log_dir / "00000001.json"), "-CAfile", str(tsa.ca_file)],
                   check=True, capture_output=True)


def test_a_changed_checkpoint_fails_its_token(tsa: LocalTSA, log_dir: Path) -> None:
    assert stamp_latest(log_dir, [tsa.authority()], now=datetime.now(UTC)) == []
    checkpoint = log_dir / "00000001.json"
    checkpoint.write_text(checkpoint.read_text().replace('"batch"', '"prune"'))
    [problem] = verify_tokens(log_dir, [tsa.authority()])
    assert problem.checkpoint == "00000001.1.tsr"
    assert "does not cover 00000001.json as it is now" in problem.message
    checkpoint.unlink()
    assert [str(p) for p in verify_tokens(log_dir, [tsa.authority()])] == [
        "00000001.1.tsr: covers 00000001.json, which is missing"]


def test_a_token_from_an_authority_not_trusted_fails(tsa: LocalTSA, log_dir: Path,
                                                     tmp_path: Path) -> None:
    assert stamp_latest(log_dir, [tsa.authority()], now=datetime.now(UTC)) == []
    make_ca(tmp_path, "stranger")
    stranger = TimestampAuthority(url=tsa.url, ca_file=tmp_path / "stranger.pem")
    [problem] = verify_tokens(log_dir, [stranger])
    assert problem.checkpoint == "00000001.1.tsr"
    assert "does not check against stranger.pem" in problem.message
    assert verify_tokens(log_dir, [stranger, tsa.authority()]) == []
    with pytest.raises(TimestampFailed, match=r"does not check against stranger\.pem"):
        digest = hashlib.sha256((log_dir / "00000001.json").read_bytes()).digest()
        verify_token((log_dir / "00000001.1.tsr").read_bytes(), digest, stranger.ca_file)


def test_an_authority_that_is_down_gives_a_message_and_no_token(tsa: LocalTSA,
                                                                log_dir: Path) -> None:
    down = TimestampAuthority(url=down_url())
    now = datetime.now(UTC)
    assert stamp_latest(log_dir, [down], now=now, timeout=5) == [
        "timestamp: 127.0.0.1: could not connect"]
    assert not list(log_dir.glob("*.tsr"))
    # the next authority is tried, and the first success ends the round
    failures = stamp_latest(log_dir, [down, tsa.authority("/broken"), tsa.authority(),
                                      tsa.authority("/again")], now=now, timeout=5)
    assert failures == ["timestamp: 127.0.0.1: could not connect",
                        "timestamp: 127.0.0.1: HTTP 500"]
    assert tsa.requests == ["/broken", "/"]
    assert [p.name for p in log_dir.glob("*.tsr")] == ["00000001.1.tsr"]


def test_failure_messages_name_the_host_only(tsa: LocalTSA) -> None:
    digest = hashlib.sha256(b"x").digest()
    for path, said in [("broken", "HTTP 500"), ("garbage", "not a timestamp token")]:
        with pytest.raises(TimestampFailed) as raised:
            request_token(f"{tsa.url}{path}?api_key=SECRET", digest, timeout=5)
        assert str(raised.value).startswith("127.0.0.1: ") and said in str(raised.value)
        assert "SECRET" not in str(raised.value) and "api_key" not in str(raised.value)


def test_at_most_one_token_per_ten_minutes_and_one_per_checkpoint(
        tsa: LocalTSA, log_dir: Path) -> None:
    key = Ed25519PrivateKey.generate()
    assert stamp_latest(log_dir, [tsa.authority()], now=datetime.now(UTC)) == []
    stamped = token_time((log_dir / "00000001.1.tsr").read_bytes())
    assert stamp_latest(log_dir, [tsa.authority()], now=stamped + timedelta(hours=1)) == []
    assert len(tsa.requests) == 1  # the latest checkpoint has its token already
    append(log_dir, key, head=None)
    assert stamp_latest(log_dir, [tsa.authority()], now=stamped + timedelta(minutes=9)) == []
    assert len(tsa.requests) == 1 and not (log_dir / "00000002.1.tsr").exists()
    assert stamp_latest(log_dir, [tsa.authority()], now=stamped + timedelta(minutes=11)) == []
    assert len(tsa.requests) == 2 and (log_dir / "00000002.1.tsr").exists()
    assert verify_tokens(log_dir, [tsa.authority()]) == []


def test_nothing_to_stamp_without_a_log_or_authorities(tsa: LocalTSA, tmp_path: Path,
                                                       log_dir: Path) -> None:
    assert stamp_latest(tmp_path / "none", [tsa.authority()], now=datetime.now(UTC)) == []
    assert stamp_latest(log_dir, [], now=datetime.now(UTC)) == []
    assert tsa.requests == [] and verify_tokens(log_dir, []) == []


def test_a_token_for_other_bytes_is_refused(tsa: LocalTSA) -> None:
    digest = hashlib.sha256(b"checkpoint").digest()
    token = request_token(tsa.url, digest, timeout=10)
    verify_token(token, digest, tsa.ca_file)
    with pytest.raises(TimestampFailed, match="covers other bytes"):
        verify_token(token, hashlib.sha256(b"other").digest(), tsa.ca_file)
    with pytest.raises(TimestampFailed, match="not a timestamp token"):
        verify_token(b"\x30\x03\x02\x01\x00", digest, None)


def test_the_query_is_what_openssl_would_ask(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_bytes(b"checkpoint bytes")
    query = timestamp_query(hashlib.sha256(data.read_bytes()).digest(), 0x8000_0000_0000_0001)
    (tmp_path / "q.tsq").write_bytes(query)
    shown = subprocess.run(["openssl", "ts", "-query", "-in", str(tmp_path / "q.tsq"), "-text"],
                           capture_output=True, text=True, check=True).stdout
    assert "Hash Algorithm: sha256" in shown and "Certificate required: yes" in shown
    assert "Nonce: 0x8000000000000001" in shown
    dumped = "".join(line[11:].split("   ")[0] for line in shown.splitlines()
                     if line.startswith("    00"))  # "    0000 - 46 9f ...-62 67 ...   F.i="
    imprint = hashlib.sha256(b"checkpoint bytes").hexdigest()
    assert dumped.replace(" ", "").replace("-", "") == imprint


def test_without_rfc3161_client_the_message_says_what_to_install(tsa: LocalTSA,
                                                                 log_dir: Path) -> None:
    assert stamp_latest(log_dir, [tsa.authority()], now=datetime.now(UTC)) == []
    script = textwrap.dedent(f"""
        import sys
        sys.modules["rfc3161_client"] = None  # as if not installed: importing it fails
        from datetime import UTC, datetime
        from pathlib import Path
        from monitor.core.model import TimestampAuthority
        from monitor.evidence.tsa import stamp_latest, verify_tokens
        log_dir, authority = Path({str(log_dir)!r}), TimestampAuthority(url={tsa.url!r})
        from monitor.evidence.log import append
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        append(log_dir, Ed25519PrivateKey.generate(), head=None)
        print(stamp_latest(log_dir, [authority], now=datetime.now(UTC)))
        print([str(p) for p in verify_tokens(log_dir, [authority])])
    """)
    shown = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    hint = "RFC 3161 timestamps need rfc3161-client: pip install 'monitor[timestamps]'"
    assert shown == [repr([f"timestamp: {hint}"]), repr([f"00000001.1.tsr: {hint}"])]
