"""Test support: a tiny synthetic city and a pytest plugin (real PostgreSQL, real browser)."""
