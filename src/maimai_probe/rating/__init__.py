"""The DX rating: the formula, the best 50, the rating over time and its API."""
