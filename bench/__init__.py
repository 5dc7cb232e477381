"""Quality gates and speed benchmarks: each module's main() prints figures beside a baseline."""
