"""Engine parity: the same landing folders built on DuckDB, PostgreSQL and Spark."""
