"""The personal-data keys of the test settings (``lianban.config.settings_test``), for subprocesses and rotation."""

from __future__ import annotations

import os

#: The test settings' keys, as environment variables (a subprocess gets the same keys).
TEST_KEY_ENV = {
    "LIANBAN_DATA_KEYS": os.environ["LIANBAN_DATA_KEYS"],
    "LIANBAN_LOOKUP_KEY": os.environ["LIANBAN_LOOKUP_KEY"],
}
#: A second data key, for rotation tests.
NEW_KEY = "t2:bmV3LXRlc3QtZGF0YS1rMg=="
