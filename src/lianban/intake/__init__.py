"""Unified intake at the comprehensive window: material checks, acceptance receipts, one-time correction notices, 容缺, deemed acceptance."""
