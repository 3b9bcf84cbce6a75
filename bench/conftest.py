"""bench/ holds benchmarks run by hand, never tests: pytest ignores everything here even when asked."""
collect_ignore_glob = ["*.py"]
