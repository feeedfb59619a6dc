"""The service catalog: departments, materials, items and one-things.

Owns the catalog tables, the ``lianban-catalog/1`` import/export and the
admin. Planning rules are in ``lianban.core``; this app only feeds them.
"""
