"""Command line of the utility-bill warehouse: generate, load, run, rollup.

Run ``python scripts/pipeline.py --help`` for the subcommands.
"""

import sys

from utility_warehouse.cli import main

if __name__ == "__main__":
    sys.exit(main())
