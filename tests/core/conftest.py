"""Core tests never touch the database (pytest-django refuses if they try)."""
