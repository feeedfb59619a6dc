"""The pure core of lianban: catalog model, conditions, planner.

No Django. No I/O beyond parsing text handed in. No clock. No randomness.
Everything here is deterministic and can be tested without a database.
"""
