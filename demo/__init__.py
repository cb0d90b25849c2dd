"""Demo and synthetic data: the demo city and its logins, and data at national scale for benchmarks."""
