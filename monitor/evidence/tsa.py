"""RFC 3161 timestamps on the evidence log: a third party's word that a checkpoint existed.

The signed log proves who wrote a checkpoint, not when: the key holder
could write a back-dated log. A token from a time-stamping authority over
the sha256 of a checkpoint file shows the file existed by the token's time,
and since every checkpoint chains the ones before it, one token vouches for
the whole log up to it. Tokens sit beside the checkpoint they cover, as
``evidence/log/<number>.<n>.tsr`` (the authority's whole DER TimeStampResp,
as ``openssl ts -reply`` writes it, so ``openssl ts -verify`` checks it too).

At most one token per ``min_interval`` (10 minutes) covers the latest
checkpoint; an authority that fails is tried again at a later pass, and
nothing here ever stops a pass. rfc3161-client is optional, imported only
here and only when timestamps are configured.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import httpx
from cryptography import x509

from monitor.core.model import TimestampAuthority
from monitor.evidence.keys import write_once
from monitor.evidence.log import LogProblem, checkpoint_name, last_file

TOKEN = re.compile(r"^(\d{8,})\.(\d+)\.tsr$")
MAX_REPLY = 1 << 20  # tokens are a few kilobytes; a megabyte is not a token
# DER of AlgorithmIdentifier {sha256, NULL}: the one hash the log uses.
_SHA256_ALGORITHM = bytes.fromhex("300d06096086480165030402010500")
_SHA256_OID = "2.16.840.1.101.3.4.2.1"


class TimestampFailed(Exception):
    """A token could not be had or does not hold; the message names the authority's host only."""


def token_name(number: int, index: int) -> str:
    return f"{number:08d}.{index}.tsr"


def request_token(url: str, digest: bytes, *, timeout: float) -> bytes:
    """A token from the authority at ``url`` over ``digest`` (sha256), checked before it is
    returned: granted, for this digest, answering this request (nonce)."""
    library = _library()
    host = urlsplit(url).hostname or "the timestamp authority"
    nonce = secrets.randbits(63) | 1
    try:
        with httpx.stream("POST", url, content=timestamp_query(digest, nonce), timeout=timeout,
                          headers={"Content-Type": "application/timestamp-query",
                                   "Accept": "application/timestamp-reply"}) as response:
            if response.status_code != 200:
                raise TimestampFailed(f"{host}: HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_REPLY:
                    raise TimestampFailed(f"{host}: the reply is too large to be a token")
    except httpx.TimeoutException:
        raise TimestampFailed(f"{host}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as error:
        raise TimestampFailed(f"{host}: {_transport_problem(error)}") from None
    try:
        reply = library.decode_timestamp_response(body)
    except ValueError:
        raise TimestampFailed(f"{host}: the reply is not a timestamp token") from None
    if reply.status not in (0, 1):  # granted, granted with modifications
        said = "; ".join(reply.status_string)[:200]
        raise TimestampFailed(f"{host} refused the request (status {reply.status}: {said})")
    if reply.tst_info.nonce != nonce:
        raise TimestampFailed(f"{host}: the token answers another request (nonce)")
    try:
        verify_token(body, digest, None)
    except TimestampFailed as problem:
        raise TimestampFailed(f"{host}: {problem}") from None
    return body


def verify_token(token: bytes, digest: bytes, ca_file: Path | None) -> None:
    """Raise TimestampFailed unless ``token`` is a granted token over sha256 ``digest``,
    signed (with ``ca_file``) through a chain to a certificate in that file.

    Without a CA file only what the token says is checked, not who said it."""
    library = _library()
    try:
        reply = library.decode_timestamp_response(token)
    except ValueError:
        raise TimestampFailed("not a timestamp token") from None
    if reply.status not in (0, 1):
        raise TimestampFailed(f"the token was not granted (status {reply.status})")
    imprint = reply.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != _SHA256_OID or imprint.message != digest:
        raise TimestampFailed("the token covers other bytes")
    if ca_file is None:
        return
    roots, intermediates = _certificates(ca_file)
    verifier = library.VerifierBuilder(roots=roots, intermediates=intermediates).build()
    try:
        verifier.verify(reply, digest)
    except library.VerificationError as error:
        raise TimestampFailed(f"the signature does not check against {ca_file.name}: "
                              f"{error}") from None


def token_time(token: bytes) -> datetime:
    """When the authority says it stamped the token (its genTime, aware)."""
    try:
        moment: datetime = _library().decode_timestamp_response(token).tst_info.gen_time
    except ValueError:
        raise TimestampFailed("not a timestamp token") from None
    return moment


def stamp_latest(log_dir: Path, authorities: Sequence[TimestampAuthority], *, now: datetime,
                 min_interval: float = 600, timeout: float = 10.0) -> list[str]:
    """Get a token for the latest checkpoint, unless it has one or the newest token is
    younger than ``min_interval`` seconds (by its genTime); the failures, as messages.

    Authorities are tried in turn until one answers. Never raises: a failed
    stamp is tried again next time, and the pass goes on."""
    failures: list[str] = []
    try:
        latest = last_file(log_dir)
        if latest is None or not authorities:
            return failures
        tokens = _tokens(log_dir)
        if any(number == latest.number for number, _, _ in tokens):
            return failures
        if tokens:
            newest = max(tokens)[2]
            try:
                age = now - token_time(newest.read_bytes())
            except (TimestampFailed, OSError):
                age = timedelta(seconds=min_interval)  # unreadable: do not let it block stamping
            if age < timedelta(seconds=min_interval):
                return failures
        digest = bytes.fromhex(latest.digest)
        for authority in authorities:
            try:
                token = request_token(authority.url, digest, timeout=timeout)
                verify_token(token, digest, authority.ca_file)
            except TimestampFailed as problem:
                failures.append(f"timestamp: {problem}")
                continue
            index = 1
            while not write_once(log_dir / token_name(latest.number, index), token, mode=0o644):
                index += 1
            return failures
    except Exception as error:  # never stop a pass: the next one tries again
        failures.append(f"timestamp: {type(error).__name__}: {error}")
    return failures


def verify_tokens(log_dir: Path, authorities: Sequence[TimestampAuthority]) -> list[LogProblem]:
    """Every token that does not hold: its checkpoint gone or changed since it was stamped,
    or (when the authorities name CA files) a signature that none of them vouches for."""
    tokens = _tokens(log_dir)
    if not tokens:
        return []
    try:
        _library()
    except TimestampFailed as problem:
        return [LogProblem(tokens[0][2].name, str(problem))]
    ca_files = [authority.ca_file for authority in authorities if authority.ca_file]
    problems: list[LogProblem] = []
    for number, _, path in tokens:
        covered = log_dir / checkpoint_name(number)
        try:
            digest = hashlib.sha256(covered.read_bytes()).digest()
        except FileNotFoundError:
            problems.append(LogProblem(path.name, f"covers {covered.name}, which is missing"))
            continue
        token = path.read_bytes()
        try:
            verify_token(token, digest, None)
        except TimestampFailed as problem:
            problems.append(LogProblem(path.name, f"does not cover {covered.name} as it is now"
                                                  f" ({problem}): it was changed after stamping"))
            continue
        failed: list[str] = []
        for ca_file in ca_files:
            try:
                verify_token(token, digest, ca_file)
                break
            except TimestampFailed as problem:
                failed.append(str(problem))
        else:
            if failed:
                problems.append(LogProblem(path.name, "; ".join(failed)))
    return problems


def timestamp_query(digest: bytes, nonce: int) -> bytes:
    """The DER TimeStampReq (RFC 3161 2.4.1) for a sha256 digest already made, asking for
    the certificate: rfc3161-client's builder only hashes data itself."""
    if len(digest) != 32:
        raise TimestampFailed("a timestamp needs a sha256 digest (32 bytes)")
    imprint = _der(0x30, _SHA256_ALGORITHM + _der(0x04, digest))
    nonce_bytes = nonce.to_bytes((nonce.bit_length() + 8) // 8, "big")
    return _der(0x30, _der(0x02, b"\x01") + imprint + _der(0x02, nonce_bytes) + b"\x01\x01\xff")


def _der(tag: int, content: bytes) -> bytes:
    assert len(content) < 128  # every part of a query is short: one length byte
    return bytes([tag, len(content)]) + content


def _tokens(log_dir: Path) -> list[tuple[int, int, Path]]:
    """(checkpoint number, index, path) of every token, in order."""
    if not log_dir.is_dir():
        return []
    found = []
    for path in log_dir.iterdir():
        match = TOKEN.match(path.name)
        if match and path.name == token_name(int(match.group(1)), int(match.group(2))):
            found.append((int(match.group(1)), int(match.group(2)), path))
    return sorted(found)


def _certificates(ca_file: Path) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """The CA file's certificates: self-signed ones as roots, the rest as intermediates
    (all of them as roots when none is self-signed: the file is the trust anchor)."""
    try:
        certificates = x509.load_pem_x509_certificates(ca_file.read_bytes())
    except (OSError, ValueError) as error:
        raise TimestampFailed(f"{ca_file}: no PEM certificates ({error})") from None
    roots = [cert for cert in certificates if cert.subject == cert.issuer]
    others = [cert for cert in certificates if cert.subject != cert.issuer]
    return (roots, others) if roots else (certificates, [])


def _transport_problem(error: httpx.HTTPError) -> str:
    """What went wrong, without the URL (it may carry a credential)."""
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the connection broke off"
    return type(error).__name__


def _library() -> ModuleType:
    try:
        import rfc3161_client
    except ImportError:
        raise TimestampFailed("RFC 3161 timestamps need rfc3161-client: "
                              "pip install 'monitor[timestamps]'") from None
    return rfc3161_client
