"""The REST API (DRF + drf-spectacular): wiring, exception handler, schema."""
