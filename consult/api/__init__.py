"""The read-only open-data API under /api/v1 and its OpenAPI 3.1 document."""
