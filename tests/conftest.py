"""Shared fixtures come from the Beatwise pytest plugin."""

pytest_plugins = ["beatwise.testing.plugin"]
