"""Tests of the serverless adapter, a package so its conftest keeps its own module name."""
