"""`monitor completion bash|zsh|fish`: scripts read off the parser, that shells accept.

bash is always here; zsh and fish are used when installed (.ci/run installs
them), else only the scripts' text is checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Project

from monitor.cli.completion import commands_of
from monitor.cli.main import build_parser, main

BIN = Path(sys.executable).parent
COMMANDS = [spec.name for spec in commands_of(build_parser()) if spec.name]


def script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def shell_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def bash_completes(script_path: Path, words: list[str], cwd: Path) -> list[str]:
    """What bash offers for ``words`` (the last one being completed)."""
    quoted = " ".join(f"'{w}'" for w in words)
    program = (f"source '{script_path}'; COMP_WORDS=({quoted}); "
               "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _monitor; "
               'printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", program], cwd=cwd,
                          capture_output=True, text=True, env=shell_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_every_command_is_in_the_parser_walk() -> None:
    assert {"check", "run", "status", "diff", "history", "completion"} <= set(COMMANDS)


def test_bash_script_parses_names_every_command_and_completes(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = script("bash", capsys)
    path = tmp_path / "monitor.bash"
    path.write_text(text)
    syntax = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert syntax.returncode == 0 and syntax.stderr == ""
    assert "complete -F _monitor monitor" in text
    for name in COMMANDS:
        assert f"        {name})" in text, name
    project.write({"letter": "/letter", "report": "/report"})
    root = project.root
    assert bash_completes(path, ["monitor", "di"], root) == ["diff"]
    assert bash_completes(path, ["monitor", "diff", "le"], root) == ["letter"]
    assert bash_completes(path, ["monitor", "check", "--source", ""], root) == ["letter", "report"]
    assert bash_completes(path, ["monitor", "run", "--log-format", "j"], root) == ["json"]
    assert bash_completes(path, ["monitor", "key", ""], root) == ["show", "rotate"]
    assert "--lines" in bash_completes(path, ["monitor", "diff", "letter", "--"], root)
    # ids come from the --config named on the command line, before or after the command
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert bash_completes(path, ["monitor", "--config", str(project.config_path), "history",
                                 "r"], elsewhere) == ["report"]
    assert bash_completes(path, ["monitor", "history", "--config", str(project.config_path),
                                 ""], elsewhere) == ["letter", "report"]
    assert bash_completes(path, ["monitor", "history", ""], elsewhere) == []  # no sources.yaml


def test_ids_for_the_scripts_are_quiet_about_a_broken_config(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "sources.yaml"
    broken.write_text("sources: [\n")
    assert main(["completion", "--ids", "--config", str(broken)]) == 0
    assert capsys.readouterr() == ("", "")


def test_a_shell_must_be_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion"]) == 2
    assert "name a shell: bash, zsh or fish" in capsys.readouterr().err


def test_zsh_script_is_a_compdef_naming_every_command(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = script("zsh", capsys)
    assert text.startswith("#compdef monitor\n")
    for name in COMMANDS:
        assert f"    '{name}:" in text and f"        {name})" in text, name
    assert "'--log-format[" in text and ":value:(text json)'" in text
    if shutil.which("zsh") is None:
        return
    path = tmp_path / "_monitor"
    path.write_text(text)
    assert subprocess.run(["zsh", "-n", str(path)], capture_output=True).returncode == 0
    loaded = subprocess.run(
        ["zsh", "-fc", f"autoload -Uz compinit; compinit -u -d {tmp_path}/zcompdump; "
                       f"source {path}; print -r -- $_comps[monitor]"],
        capture_output=True, text=True, timeout=60)
    assert loaded.stdout.strip() == "_monitor", loaded.stderr


def test_fish_script_names_every_command_and_completes(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = script("fish", capsys)
    for name in COMMANDS:
        assert f"-n __fish_use_subcommand -a {name} -d " in text, name
    assert "show program\\'s version" in text  # a quote inside a quoted description
    if shutil.which("fish") is None:
        return
    path = tmp_path / "monitor.fish"
    path.write_text(text)
    assert subprocess.run(["fish", "--no-execute", str(path)]).returncode == 0
    project.write({"letter": "/letter", "report": "/report"})

    def offers(line: str) -> list[str]:
        done = subprocess.run(["fish", "--no-config", "-c",
                               f"source {path}; complete -C '{line}'"],
                              cwd=project.root, capture_output=True, text=True,
                              env=shell_env(), timeout=60)
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert offers("monitor hist") == ["history"]
    assert offers("monitor diff ") == ["letter", "report"]
    assert offers("monitor run --log-format ") == ["json", "text"]
