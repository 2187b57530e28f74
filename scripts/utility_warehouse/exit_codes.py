"""The exit codes of every ``pipeline.py`` subcommand."""

EXIT_OK = 0
EXIT_GATE_FAILED = 1  # an error-severity dbt test failed, or a node errored
EXIT_BAD_INPUT = 2  # a bad invocation, or a landing folder that breaks the contract
