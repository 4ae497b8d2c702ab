"""The site's plumbing: page cache, CSRF, errors, security headers, filters, the front page."""
