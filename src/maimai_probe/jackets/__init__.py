"""Jackets kept by the site: fetched once, stored with the archive, served from our own URL."""
