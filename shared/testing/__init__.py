"""Test support shared by the test suite, fault tests and benchmarks: factories and harnesses."""
