"""Benchmarks (`make bench`): figures printed with the hardware, compared with a bare baseline in the same run."""
