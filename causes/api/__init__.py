"""The public read-only JSON API and the open-data downloads."""
