"""Tests in headless Chromium against the app served on a local port."""
