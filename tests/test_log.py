"""The evidence log: honest logs verify, and every kind of tampering is named by its file."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monitor.evidence.keys import fingerprint, load_signing_key, public_key_text, rotate_key
from monitor.evidence.log import (
    Checkpoint,
    LogError,
    append,
    canonical,
    checkpointed_commits,
    current_key,
    last_checkpoint,
    pruned_captures,
    read_log,
    read_log_files,
    verify_log,
)

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def commit(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def write_batches(log_dir: Path, key: Ed25519PrivateKey, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        append(log_dir, key, head=commit(f"head {n}"), commits=(commit(f"c {n}"),),
               captures=(sha(f"capture {n}"),), now=START + timedelta(minutes=n))


def messages(log_dir: Path, **options: str) -> list[str]:
    return [str(problem) for problem in verify_log(log_dir, **options)]


def resign(path: Path, signer: Ed25519PrivateKey, **changes: object) -> None:
    """Rewrite a checkpoint with changed fields, signed again by ``signer``."""
    fields = json.loads(path.read_text())
    fields.update(changes)
    fields["signature"] = base64.b64encode(signer.sign(canonical(fields))).decode()
    path.write_text(json.dumps(fields, sort_keys=True, indent=2) + "\n")


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_checkpoints_chain_and_say_what_they_cover(tmp_path: Path,
                                                  key: Ed25519PrivateKey) -> None:
    log_dir = tmp_path / "evidence" / "log"
    first = append(log_dir, key, head=commit("a"), commits=[commit("a")],
                   captures=[sha("x")], now=START)
    second = append(log_dir, key, head=commit("b"), now=START + timedelta(seconds=5))
    assert sorted(p.name for p in log_dir.iterdir()) == ["00000001.json", "00000002.json"]
    assert (first.number, first.previous, first.time) == (1, None, "2030-01-01T09:00:00Z")
    assert second.previous == hashlib.sha256((log_dir / "00000001.json").read_bytes()).hexdigest()
    assert second.key == public_key_text(key) and second.kind == "batch"
    assert read_log(log_dir) == [first, second] and last_checkpoint(log_dir) == second
    on_disk = json.loads((log_dir / "00000001.json").read_text())
    assert set(on_disk) == {"number", "kind", "time", "previous", "head", "commits", "captures",
                            "key", "details", "signature"}
    signed = {k: v for k, v in on_disk.items() if k != "signature"}
    signature = base64.b64decode(on_disk["signature"])
    key.public_key().verify(signature, json.dumps(signed, sort_keys=True, separators=(",", ":"),
                                                  ensure_ascii=False).encode())
    assert checkpointed_commits(read_log(log_dir)) == {commit("a"), commit("b")}
    assert verify_log(log_dir, trusted_key=public_key_text(key)) == []


def test_an_empty_or_absent_log_verifies(tmp_path: Path) -> None:
    assert verify_log(tmp_path / "log") == [] and read_log(tmp_path / "log") == []
    assert last_checkpoint(tmp_path / "log") is None


def test_an_honest_log_with_a_rotation_verifies(tmp_path: Path) -> None:
    key_path, log_dir = tmp_path / "signing.key", tmp_path / "log"
    write_batches(log_dir, load_signing_key(key_path, {}), 3)
    old, new = rotate_key(key_path, {}, now=START)
    rotation = append(log_dir, old, kind="rotate", head=commit("head 2"),
                      details={"new_key": public_key_text(new)}, now=START + timedelta(hours=1))
    write_batches(log_dir, load_signing_key(key_path, {}), 2, first=10)
    checkpoints = read_log(log_dir)
    assert rotation.key == public_key_text(old) and checkpoints[-1].key == public_key_text(new)
    assert current_key(checkpoints) == public_key_text(new)
    assert verify_log(log_dir, trusted_key=public_key_text(new)) == []
    assert messages(log_dir, trusted_key=public_key_text(old)) == [
        f"00000006.json: the log's current key ({fingerprint(new)}) is not the key this"
        f" monitor holds ({fingerprint(old)})"]


def test_an_edited_field_breaks_the_signature_and_the_next_link(
        tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 4)
    path = tmp_path / "00000002.json"
    path.write_text(path.read_text().replace(sha("capture 1"), sha("another capture")))
    assert messages(tmp_path) == [
        "00000002.json: the signature does not verify (changed after signing?)",
        "00000003.json: previous is not the sha256 of 00000002.json (it was changed or replaced)"]


def test_a_checkpoint_signed_with_another_key_is_named(tmp_path: Path,
                                                      key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 6)
    stranger = Ed25519PrivateKey.generate()
    append(tmp_path, stranger, head=commit("forged"), now=START + timedelta(hours=2))
    write_batches(tmp_path, key, 1, first=7)
    assert messages(tmp_path) == [
        "00000007.json: signed by a key the log never introduced"
        f" ({fingerprint(stranger)})"]


def test_a_resigned_checkpoint_is_named_by_its_key_and_its_successor(
        tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 3)
    stranger = Ed25519PrivateKey.generate()
    resign(tmp_path / "00000002.json", stranger, key=public_key_text(stranger),
           commits=[commit("rewritten")])
    assert messages(tmp_path) == [
        f"00000002.json: signed by a key the log never introduced ({fingerprint(stranger)})",
        "00000003.json: previous is not the sha256 of 00000002.json (it was changed or replaced)"]


def test_a_deleted_middle_checkpoint_is_named(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 5)
    (tmp_path / "00000003.json").unlink()
    assert messages(tmp_path) == ["00000003.json: missing: the log goes on at 00000004.json"]
    (tmp_path / "00000004.json").unlink()
    assert messages(tmp_path) == [
        "00000003.json to 00000004.json: missing: the log goes on at 00000005.json"]


def test_a_deleted_first_checkpoint_is_named(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 2)
    (tmp_path / "00000001.json").unlink()
    assert messages(tmp_path) == ["00000001.json: missing: the log goes on at 00000002.json"]


def test_a_broken_previous_hash_is_named_even_when_resigned(
        tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 3)
    resign(tmp_path / "00000003.json", key, previous=sha("not the file"))
    assert messages(tmp_path) == [
        "00000003.json: previous is not the sha256 of 00000002.json (it was changed or replaced)"]


def test_a_file_that_does_not_parse_is_named(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 3)
    (tmp_path / "00000002.json").write_text('{"number": 2, "kind": "ba')
    (tmp_path / "00000004.json").write_text('{"number": 5}')
    found = messages(tmp_path)
    assert found[0].startswith("00000002.json: not a checkpoint: not JSON")
    assert found[1] == ("00000003.json: previous is not the sha256 of 00000002.json"
                        " (it was changed or replaced)")
    assert found[2].startswith("00000004.json: not a checkpoint: fields missing kind")
    assert len(found) == 3
    assert [c.number for c in read_log(tmp_path)] == [1, 3]
    assert [f.error is None for f in read_log_files(tmp_path)] == [True, False, True, False]


def test_only_a_rotation_signed_by_the_current_key_hands_over(
        tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 2)
    stranger, successor = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    append(tmp_path, stranger, kind="rotate", head=None,
           details={"new_key": public_key_text(successor)}, now=START + timedelta(hours=1))
    write_batches(tmp_path, successor, 1, first=5)
    assert messages(tmp_path) == [
        f"00000003.json: signed by a key the log never introduced ({fingerprint(stranger)})",
        f"00000004.json: signed by a key the log never introduced ({fingerprint(successor)})"]


def test_the_old_key_signing_after_its_rotation_is_named_as_retired(
        tmp_path: Path, key: Ed25519PrivateKey) -> None:
    successor = Ed25519PrivateKey.generate()
    write_batches(tmp_path, key, 1)
    append(tmp_path, key, kind="rotate", head=None,
           details={"new_key": public_key_text(successor)}, now=START)
    write_batches(tmp_path, key, 1, first=3)
    assert messages(tmp_path) == [
        f"00000003.json: signed by a retired key ({fingerprint(key)})"]


def test_prune_and_discontinuity_checkpoints(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    write_batches(tmp_path, key, 2)
    append(tmp_path, key, kind="prune", head=commit("head 1"),
           captures=(sha("capture 0"),), details={"before": "2030-01-02"}, now=START)
    append(tmp_path, key, kind="prune", head=commit("head 1"),
           captures=(sha("capture 0"), sha("capture 1")), details={"before": "2030-02-01"})
    gap = append(tmp_path, key, kind="discontinuity", head=commit("new head"),
                 details={"reason": "history rewritten", "previous_head": commit("head 1")})
    assert pruned_captures(read_log(tmp_path)) == {sha("capture 0"): 3, sha("capture 1"): 4}
    assert gap.details["reason"] == "history rewritten" and verify_log(tmp_path) == []


def test_append_refuses_what_would_not_verify(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    with pytest.raises(LogError, match="kind"):
        append(tmp_path, key, kind="party", head=None)
    with pytest.raises(LogError, match="captures"):
        append(tmp_path, key, head=None, captures=("sha256:abc",))
    with pytest.raises(LogError, match="new_key"):
        append(tmp_path, key, kind="rotate", head=None)
    with pytest.raises(LogError, match="details"):
        append(tmp_path, key, head=None, details={"n": 1})  # type: ignore[dict-item]
    assert list(tmp_path.iterdir()) == []


def test_checkpoints_keep_text_as_written(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    reason = "Überschrift geändert — 見出し"
    written = append(tmp_path, key, kind="discontinuity", head=None, details={"reason": reason})
    assert reason in (tmp_path / "00000001.json").read_text(encoding="utf-8")
    assert read_log(tmp_path) == [written] and verify_log(tmp_path) == []
    assert isinstance(written, Checkpoint) and written.name == "00000001.json"


def test_concurrent_writers_each_take_their_own_number(tmp_path: Path) -> None:
    key_path, log_dir = tmp_path / "signing.key", tmp_path / "log"
    load_signing_key(key_path, {})
    script = textwrap.dedent(f"""
        from pathlib import Path
        from monitor.evidence.keys import load_signing_key
        from monitor.evidence.log import append
        key = load_signing_key(Path({str(key_path)!r}), {{}})
        for _ in range(15):
            append(Path({str(log_dir)!r}), key, head=None)
    """)
    processes = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT) for _ in range(4)]
    assert [process.wait(timeout=120) for process in processes] == [0] * 4
    assert [c.number for c in read_log(log_dir)] == list(range(1, 61))
    assert verify_log(log_dir) == []


def test_a_writer_killed_at_any_moment_leaves_a_log_that_verifies(tmp_path: Path) -> None:
    """SIGKILL mid-append, many times: a checkpoint is there whole or not at all."""
    key_path, log_dir = tmp_path / "signing.key", tmp_path / "log"
    load_signing_key(key_path, {})
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from monitor.evidence.keys import load_signing_key
        from monitor.evidence.log import append
        key = load_signing_key(Path({str(key_path)!r}), {{}})
        print("ready", flush=True)
        while True:
            append(Path({str(log_dir)!r}), key, head=None, captures=["ab" * 32] * 200)
    """)
    for _ in range(8):
        process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT,
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        before = len(read_log_files(log_dir))
        while len(read_log_files(log_dir)) < before + 3:
            pass
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
    assert verify_log(log_dir) == []
    assert all(f.error is None for f in read_log_files(log_dir))
