"""``monitor completion bash|zsh|fish``: tab completion, read off the argparse parser.

Built from the parser at run time, so a new command or option completes as
soon as it is declared. Source ids complete too: the scripts ask
``monitor completion --ids`` (with the command line's ``--config``), which
prints the ids of the sources file, or nothing.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from monitor.cli.common import EXIT_OK, EXIT_USAGE, Command

SHELLS = ("bash", "zsh", "fish")


def add_commands(command: Command) -> None:
    sub = command("completion", cmd_completion,
                  "a tab-completion script: eval \"$(monitor completion bash)\"")
    sub.add_argument("shell", nargs="?", choices=SHELLS, help="bash, zsh or fish")
    sub.add_argument("--ids", action="store_true", help=argparse.SUPPRESS)


def cmd_completion(args: argparse.Namespace) -> int:
    if args.ids:
        for source_id in source_ids(Path(args.config)):
            print(source_id)
        return EXIT_OK
    if not args.shell:
        print("monitor completion: name a shell: bash, zsh or fish (e.g. "
              "`monitor completion bash > ~/.local/share/bash-completion/completions/monitor`)",
              file=sys.stderr)
        return EXIT_USAGE
    from monitor.cli.completion_scripts import SCRIPTS
    from monitor.cli.main import build_parser

    sys.stdout.write(SCRIPTS[args.shell](commands_of(build_parser())))
    return EXIT_OK


def source_ids(path: Path) -> list[str]:
    """The ids in the sources file; nothing when it cannot be read (a prompt is no
    place for config errors)."""
    from monitor.config import loader
    from monitor.config.problems import ConfigError

    try:
        return [source.id for source in loader.load(path).sources]
    except (ConfigError, OSError):
        return []


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    takes: str  # "" (a flag), "file", "id", "choice" or "value"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """One command as the scripts see it: its options and its first positional."""

    name: str
    help: str
    options: tuple[Option, ...]
    positional: Option | None


def commands_of(parser: argparse.ArgumentParser) -> list[Spec]:
    """The top level (named ``""``) and then every subcommand, in declaration order."""
    specs = [_spec("", parser.description or "", parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                specs.append(_spec(name, helps.get(name, ""), sub))
    return specs


def _spec(name: str, help: str, parser: argparse.ArgumentParser) -> Spec:
    options: list[Option] = []
    positional = None
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        described = _option(action)
        if action.option_strings:
            options.append(described)
        elif positional is None:
            positional = described
    return Spec(name, help, tuple(options), positional)


def _option(action: argparse.Action) -> Option:
    help = (action.help or "").replace("%(default)s", str(action.default))
    if action.option_strings and action.nargs == 0:
        return Option(tuple(action.option_strings), help, "")
    if action.choices:
        return Option(tuple(action.option_strings), help, "choice",
                      tuple(str(c) for c in action.choices))
    if action.type is Path:
        return Option(tuple(action.option_strings), help, "file")
    if action.metavar == "ID":
        return Option(tuple(action.option_strings), help, "id")
    return Option(tuple(action.option_strings), help, "value")
