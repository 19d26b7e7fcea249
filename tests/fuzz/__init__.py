"""ember's differential fuzzer (placeholder docstring; completed below)."""
