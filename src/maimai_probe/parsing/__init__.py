"""Readers of the official pages and of Diving-Fish JSON: plain functions over text, no Flask."""
