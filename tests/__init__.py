"""Consult test suite."""
