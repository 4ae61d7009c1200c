"""What every command shares: exit codes, how a command is declared, loading the config."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from monitor.config import loader as config_module
from monitor.core.model import Config
from monitor.core.safe_text import for_terminal

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2

#: ``command(name, handler, help)``: declares a subcommand and returns its parser
Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def load_config(args: argparse.Namespace, *, locate: bool = False) -> Config:
    """The config named by ``--config``, its warnings printed to stderr."""
    config = config_module.load(Path(args.config), locate=locate)
    for warning in config.warnings:
        print(for_terminal(f"monitor: warning: {warning}"), file=sys.stderr)
    return config
