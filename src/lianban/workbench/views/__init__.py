"""Workbench pages, one module per workbench. Thin: selectors read, services write, forms check shape."""
