"""Argument parsing and dispatch for ``scripts/pipeline.py``.

Exit codes: 0 success (every error-severity test passed), 1 a quality gate
failed, 2 a bad invocation or a landing folder that breaks the contract.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from utility_warehouse import generate, load, rollup, run
from utility_warehouse.exit_codes import EXIT_BAD_INPUT


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors exit with the bad-invocation code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pipeline.py", description=__doc__)
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )
    for module in (generate, load, run, rollup):
        sub = commands.add_parser(
            module.COMMAND, help=module.HELP, description=module.HELP
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
