"""``python -m lianban`` is the ``lianban`` command."""

from lianban.cli import main

main()
