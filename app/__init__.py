"""The HTTP layer: pages, JSON API and CLI over the assessments domain."""
