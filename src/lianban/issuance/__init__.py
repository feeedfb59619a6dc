"""Unified issuance (统一出件), the one bill (一单收费) and payment."""
