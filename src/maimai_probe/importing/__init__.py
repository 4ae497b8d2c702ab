"""Getting plays in and out: the import form and API, storing, exporting, tokens, chart choices."""
