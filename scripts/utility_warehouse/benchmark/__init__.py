"""The benchmark's parts (``scripts/benchmark.py`` runs them).

``workload``: the sizes and the landing folders (the generated folder and the one
a month before); ``baseline``: the one-query baseline; ``measure``: a step in its
own process, timed, its peak memory sampled; ``results``: the figures, the
Markdown table and the results file.
"""
