"""`monitor key`, `key rotate`, `export` and `status` through the real CLI, and the
captures they rest on, against a real local site: the bytes a capture holds are
the bytes the server sent."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import Project
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from warcio.archiveiterator import ArchiveIterator

from monitor.cli.demo_site import Article, render_article
from testing.site import Page

ARTICLE = "/news/huawei-letter"
GONE = "/news/report"
NOT_FOUND = b"<html><body><h1>Not found</h1><p>This story is no longer here.</p></body></html>"
WACZ = Path(sys.executable).parent / "wacz"


# --- helpers ---


def gzipped(article: Article) -> tuple[Page, bytes]:
    """The article as a gzip-encoded page, and the exact bytes it is sent as."""
    body = gzip.compress(render_article(article).encode(), mtime=0)
    return Page(body=body, headers={"Content-Type": "text/html; charset=utf-8",
                                    "Content-Encoding": "gzip"}), body


def git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), *args],
                          capture_output=True, text=True, check=True).stdout.strip()


def capture_digest(project: Project, revision: str) -> str:
    body = git(project, "log", "-1", "--format=%B", revision)
    [digest] = [line.removeprefix("Capture: sha256:") for line in body.splitlines()
                if line.startswith("Capture: sha256:")]
    return digest


def capture_file(project: Project, revision: str) -> Path:
    digest = capture_digest(project, revision)
    return project.root / "evidence" / "captures" / digest[:2] / f"{digest}.warc.gz"


def responses(data: bytes) -> list[tuple[int, bytes, str]]:
    """(status, payload as sent, WARC-Payload-Digest) of each response record."""
    found = []
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type == "response":
            assert record.http_headers is not None
            found.append((int(record.http_headers.get_statuscode()),
                          record.raw_stream.read(),
                          record.rec_headers.get_header("WARC-Payload-Digest")))
    return found


def line_of(out: str, start: str) -> str:
    [line] = [line for line in out.splitlines() if line.startswith(start)]
    return line


def fingerprint_of(key: Ed25519PrivateKey) -> str:
    """OpenSSH style, computed here from the raw public key, not by monitor."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def public_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_in(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def checkpoints(project: Project) -> list[dict[str, object]]:
    return [json.loads(path.read_text()) for path in
            sorted((project.root / "evidence" / "log").glob("*.json"))]


def raw_key_env() -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return key, base64.b64encode(raw).decode("ascii")


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_SIGNING_KEY", raising=False)


@pytest.fixture
def edited(project: Project, letter: Article) -> tuple[Project, bytes, bytes]:
    """A gzip-served page checked twice: a baseline, then a change. (project, bytes sent
    for the baseline, bytes sent for the change)"""
    page, before = gzipped(letter)
    project.site.put(ARTICLE, page)
    project.write({"letter": ARTICLE})
    assert project.run("check").code == 0
    page, after = gzipped(letter.edited("80,000", "8,000"))
    project.site.put(ARTICLE, page)
    checked = project.run("check")
    assert checked.code == 0 and "changed" in checked.out, checked
    return project, before, after


# --- monitor key ---


def test_key_shows_the_public_key_its_fingerprint_and_its_file(project: Project,
                                                                letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    result = project.run("key")
    assert result.code == 0, result
    path = project.root / "signing.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = key_in(path)
    assert line_of(result.out, "public key") == f"public key   {public_text(key)}"
    assert line_of(result.out, "fingerprint") == f"fingerprint  {fingerprint_of(key)}"
    assert line_of(result.out, "from") == f"from         {path}"
    assert result.err == ""
    # the same key signs the log
    project.run("check")
    assert [c["key"] for c in checkpoints(project)] == [public_text(key)]


def test_key_from_the_environment_makes_no_file(project: Project, letter: Article,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    key, value = raw_key_env()
    monkeypatch.setenv("MONITOR_SIGNING_KEY", value)
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    result = project.run("key")
    assert result.code == 0, result
    assert line_of(result.out, "fingerprint") == f"fingerprint  {fingerprint_of(key)}"
    assert line_of(result.out, "from") == "from         $MONITOR_SIGNING_KEY"
    assert value not in result.out + result.err
    assert project.run("check").code == 0
    assert [c["key"] for c in checkpoints(project)] == [public_text(key)]
    assert not (project.root / "signing.key").exists()


def test_a_garbage_key_in_the_environment_is_refused_without_showing_it(
        project: Project, letter: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    assert project.run("check").code == 0
    garbage = "s3cr3t-GARBAGE-value-0123456789"
    monkeypatch.setenv("MONITOR_SIGNING_KEY", garbage)
    for command in ("key", "verify"):
        result = project.run(command)
        assert result.code == 2, (command, result)
        assert "MONITOR_SIGNING_KEY" in result.err
        assert garbage not in result.out + result.err
        assert "s3cr3t" not in result.out + result.err


def test_rotate_hands_over_to_a_new_key_that_signs_what_follows(project: Project,
                                                                letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    assert project.run("check").code == 0
    old = line_of(project.run("key").out, "fingerprint").split()[1]
    rotated = project.run("key", "rotate")
    assert rotated.code == 0, rotated
    new = line_of(project.run("key").out, "fingerprint").split()[1]
    assert new != old
    assert line_of(rotated.out, "new key").split()[2] == new
    [kept] = project.root.glob("signing.key.*.old")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert fingerprint_of(key_in(kept)) == old
    handover = checkpoints(project)[-1]
    assert handover["kind"] == "rotate"
    assert handover["details"] == {"new_key": public_text(key_in(project.root / "signing.key"))}

    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    assert "changed" in project.run("check").out
    last = checkpoints(project)[-1]
    assert last["kind"] == "batch"
    assert last["key"] == public_text(key_in(project.root / "signing.key"))
    verified = project.run("verify")
    assert verified.code == 0, verified
    assert verified.out.splitlines()[-1].endswith(f"signed by {new}")


def test_rotate_refuses_a_key_from_the_environment(project: Project, letter: Article,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, value = raw_key_env()
    monkeypatch.setenv("MONITOR_SIGNING_KEY", value)
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    result = project.run("key", "rotate")
    assert result.code == 2
    assert "set the new key there" in result.err
    assert value not in result.out + result.err


# --- monitor export ---


def test_export_writes_the_change_packet_named_by_id_and_revision(
        edited: tuple[Project, bytes, bytes], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    project, _, _ = edited
    monkeypatch.chdir(tmp_path)
    head = git(project, "rev-parse", "HEAD")
    baseline = git(project, "rev-parse", "HEAD~1")
    result = project.run("export", "letter")
    assert result.code == 0, result
    packet = tmp_path / f"letter-{head[:7]}.wacz"
    assert packet.is_file()
    assert result.out.startswith(f"wrote letter-{head[:7]}.wacz: letter {head[:7]} changed "
                                 f"(against {baseline[:7]})")
    with zipfile.ZipFile(packet) as packed:
        archived = sorted(n for n in packed.namelist() if n.startswith("archive/"))
        assert archived == sorted(f"archive/{capture_digest(project, rev)}.warc.gz"
                                  for rev in (head, baseline))
        facts = json.loads(packed.read("monitor/facts.json"))
    assert (facts["after"]["revision"], facts["after"]["event"]) == (head, "changed")
    assert (facts["before"]["revision"], facts["before"]["event"]) == (baseline, "baseline")
    assert facts["after"]["capture"] == "sha256:" + capture_digest(project, head)
    assert facts["after"]["status"] == 200


def test_export_to_a_named_file(edited: tuple[Project, bytes, bytes],
                                monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project, _, _ = edited
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "packets" / "letter.wacz"
    out.parent.mkdir()
    result = project.run("export", "letter", "-o", str(out))
    assert result.code == 0, result
    assert out.is_file()
    assert not list(tmp_path.glob("*.wacz"))


def test_an_exported_packet_validates_with_py_wacz(edited: tuple[Project, bytes, bytes],
                                                   tmp_path: Path) -> None:
    project, _, _ = edited
    out = tmp_path / "packet.wacz"
    assert project.run("export", "letter", "-o", str(out)).code == 0
    validated = subprocess.run([str(WACZ), "validate", "-f", str(out)], capture_output=True,
                               text=True, timeout=120)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_the_packets_payloads_are_the_gzip_bytes_the_server_sent(
        edited: tuple[Project, bytes, bytes], tmp_path: Path) -> None:
    project, before, after = edited
    out = tmp_path / "packet.wacz"
    assert project.run("export", "letter", "-o", str(out)).code == 0
    head, baseline = git(project, "rev-parse", "HEAD", "HEAD~1").split()
    with zipfile.ZipFile(out) as packed:
        for revision, sent in ((head, after), (baseline, before)):
            data = packed.read(f"archive/{capture_digest(project, revision)}.warc.gz")
            [(status, payload, _)] = responses(data)
            assert status == 200
            assert payload == sent
    assert before != after


def test_an_earlier_revision_can_be_exported(edited: tuple[Project, bytes, bytes],
                                             tmp_path: Path) -> None:
    project, _, _ = edited
    baseline = git(project, "rev-parse", "HEAD~1")
    out = tmp_path / "baseline.wacz"
    result = project.run("export", "letter", baseline[:7], "-o", str(out))
    assert result.code == 0, result
    with zipfile.ZipFile(out) as packed:
        assert [n for n in packed.namelist() if n.startswith("archive/")] == [
            f"archive/{capture_digest(project, baseline)}.warc.gz"]


def test_a_baseline_alone_gives_a_one_capture_packet(project: Project, letter: Article,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    assert project.run("check").code == 0
    monkeypatch.chdir(tmp_path)
    head = git(project, "rev-parse", "HEAD")
    result = project.run("export", "letter")
    assert result.code == 0, result
    assert result.out.startswith(f"wrote letter-{head[:7]}.wacz: letter {head[:7]} baseline\n")
    with zipfile.ZipFile(tmp_path / f"letter-{head[:7]}.wacz") as packed:
        archived = [n for n in packed.namelist() if n.startswith("archive/")]
    assert archived == [f"archive/{capture_digest(project, head)}.warc.gz"]


def test_a_version_committed_with_captures_off_is_refused(project: Project, letter: Article,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"captures": "false"})
    assert project.run("check").code == 0
    monkeypatch.chdir(tmp_path)
    result = project.run("export", "letter")
    assert result.code == 2
    head = git(project, "rev-parse", "HEAD")
    assert f"letter {head[:7]} has no capture (captures off" in result.err
    assert not list(tmp_path.rglob("*.wacz"))


def test_an_unknown_source_is_refused(edited: tuple[Project, bytes, bytes],
                                      monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    project, _, _ = edited
    monkeypatch.chdir(tmp_path)
    result = project.run("export", "nosuchsource")
    assert result.code == 2
    assert "no versions of 'nosuchsource'" in result.err
    assert not list(tmp_path.rglob("*.wacz"))


# --- monitor status ---


def test_status_counts_the_captures(edited: tuple[Project, bytes, bytes]) -> None:
    project, _, _ = edited
    stored = list((project.root / "evidence" / "captures").rglob("*.warc.gz"))
    assert len(stored) == 2
    result = project.run("status")
    line = line_of(result.out, "evidence:")
    assert line.startswith("evidence: 2 capture(s), ")
    assert str(project.root / "evidence") in line


# --- the captures themselves ---


def test_a_capture_holds_the_bytes_sent_for_a_change_and_a_removal(
        project: Project, letter: Article, report: Article) -> None:
    page, sent = gzipped(letter)
    project.site.put(ARTICLE, page)
    project.site.put_article(GONE, report)
    project.write({"letter": ARTICLE, "report": GONE}, settings={"confirm_removal": 1})
    assert project.run("check").code == 0
    page, sent = gzipped(letter.edited("80,000", "8,000"))
    project.site.put(ARTICLE, page)
    project.site.put(GONE, Page(status=404, body=NOT_FOUND, etag=False))
    checked = project.run("check")
    assert "1 changed, 1 removed" in checked.out, checked
    subjects = dict(line.split(" ", 1)[::-1] for line in
                    git(project, "log", "--format=%H %s").splitlines())
    for subject, status, body in (("changed: letter", 200, sent),
                                  ("removed: report", 404, NOT_FOUND)):
        [(got_status, payload, digest)] = responses(
            capture_file(project, subjects[subject]).read_bytes())
        assert (got_status, payload) == (status, body), subject
        # the payload digest is over the body as sent, content-encoding kept
        assert digest == "sha256:" + hashlib.sha256(body).hexdigest(), subject
    assert project.run("verify").code == 0
