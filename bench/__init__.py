"""zsdesk's benchmarks: speed and memory on a large county, as ratios to a floor.

Run ``python -m bench`` (or ``bench/run``) from the repository root; ``--quick`` uses the
small demo county and finishes in well under a minute. Each figure is the median of
several runs, next to a floor measured in the same run: the same work done the minimal
way on the same machine. Figures whose capability is not built yet are listed as such.

This package's ``__init__`` stays empty of imports: the cold-start child processes are
started as ``python -m bench.child`` and must not pay for anything but what they measure.
"""
