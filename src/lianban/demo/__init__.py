"""The demo: the three real scenarios as a catalog, one account per role, one command."""
