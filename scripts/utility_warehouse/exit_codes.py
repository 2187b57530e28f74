"""The exit codes of every ``pipeline.py`` subcommand.

0  success: the command did its work (``run``: every error-severity test passed).
1  a quality gate failed (``run``): an error-severity test failed or errored, a dbt
   node errored, or dbt raised; the failed tests are named.
2  bad input: a bad invocation, or a landing folder that breaks the contract (a
   missing or empty file, a missing column, a file not in the given encoding, ...);
   nothing is loaded. Retrying the same command will not help.
3  busy: the warehouse is in use by another run or process (its lock file or the
   DuckDB file is held; the holder is named); the command stops and a scheduler
   may retry later.
"""

EXIT_OK = 0
EXIT_GATE_FAILED = 1  # an error-severity dbt test failed, or a node errored
EXIT_BAD_INPUT = 2  # a bad invocation, or a landing folder that breaks the contract
EXIT_BUSY = 3  # busy: a scheduler may retry (the warehouse is held by another process)

EXIT_CODES_HELP = """\
exit codes:
  0  success (run: every error-severity test passed)
  1  a quality gate failed (run): a test failed or errored, a dbt node errored
     or dbt raised; the failed tests are named
  2  bad input: a bad invocation or a landing folder that breaks the contract
     (nothing is loaded); retrying will not help
  3  busy: the warehouse is held by another run or process (named in the
     message); a scheduler may retry later
"""
