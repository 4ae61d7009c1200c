"""A reader that stops reading (`monitor diff … | head`) ends the output quietly."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from conftest import Project, child_env

from monitor.cli.demo_site import Article
from monitor.cli.pipes import PipeGuard

BIN = Path(sys.executable).parent


def two_versions(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    assert project.run("check").code == 0
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    assert project.run("check").code == 0


def into_closed_pipe(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    """``monitor ARGS`` writing into a pipe whose reader has already gone: its first
    write meets EPIPE, every time."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "monitor", *args, "--config",
                               str(project.config_path)], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env=child_env(), timeout=120)
    finally:
        os.close(write_end)


def test_history_and_diff_into_a_closed_pipe_say_nothing(project: Project,
                                                         letter: Article) -> None:
    two_versions(project, letter)
    for args in (("history", "letter"), ("diff", "letter"), ("list",)):
        done = into_closed_pipe(project, *args)
        assert done.stderr == "", (args, done.stderr)
        assert done.returncode == 0, args


def test_check_into_a_closed_pipe_still_does_its_work(project: Project,
                                                      letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    done = into_closed_pipe(project, "check")
    assert done.stderr == "" and done.returncode == 0
    assert "80,000" in project.snapshot("letter")  # the baseline was committed


def test_a_shell_pipe_into_head(project: Project, letter: Article) -> None:
    two_versions(project, letter)
    config = project.config_path
    line = (f"monitor diff letter --config {config} | head -1; "
            f"echo \"diff=${{PIPESTATUS[0]}}\"; "
            f"monitor history letter --config {config} | head -1 > /dev/null; "
            f"echo \"history=${{PIPESTATUS[0]}}\"")
    env = {**child_env(), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", line], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert "diff=0" in lines and "history=0" in lines
    assert len(lines) == 3  # head's one line, then the two exit codes


class Closed(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_the_guard_swallows_a_broken_pipe_and_passes_the_rest_through() -> None:
    guard = PipeGuard(Closed())
    assert guard.write("lost") == 4
    guard.flush()
    assert guard.broken
    alive = PipeGuard(io.StringIO())
    alive.writelines(["a", "b"])
    assert alive.getvalue() == "ab" and not alive.broken and alive.isatty() is False
