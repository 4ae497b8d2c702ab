"""A player's pages: home, records, diffs, chart history, charts, their queries and API."""
