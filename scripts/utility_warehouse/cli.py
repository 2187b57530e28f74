"""Argument parsing and dispatch for ``scripts/pipeline.py``.

Exit codes (every subcommand):
  0  success (run: every error-severity test passed)
  1  a quality gate failed (run)
  2  a bad invocation, or a landing folder that breaks the contract
  3  busy: the warehouse is held by another run or process; a scheduler may retry
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from utility_warehouse import (
    export,
    generate,
    ghg,
    inspect_month,
    load,
    quality,
    report,
    review,
    rollup,
    run,
    template,
)
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_CODES_HELP

PROGRAM = "pipeline.py"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors exit with the bad-invocation code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _with_exit_codes(epilog: str | None) -> str:
    return f"{epilog.rstrip()}\n\n{EXIT_CODES_HELP}" if epilog else EXIT_CODES_HELP


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROGRAM,
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )
    for module in (
        generate,
        load,
        run,
        rollup,
        quality,
        ghg,
        inspect_month,
        export,
        report,
        review,
        template,
    ):
        sub = commands.add_parser(
            module.COMMAND,
            help=module.HELP,
            description=module.HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        # Keep the epilog's line breaks (the exit codes are a small table).
        sub.formatter_class = argparse.RawDescriptionHelpFormatter
        sub.epilog = _with_exit_codes(sub.epilog)
        sub.set_defaults(handler=module.main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(arguments)
    # Written into the warehouse's lock file, so that a refused run can name it.
    args.command_line = shlex.join([PROGRAM, *arguments])
    return int(args.handler(args))
