"""lianban (联办): one application, one set of materials, one window, one result."""

__version__ = "0.1.0"
