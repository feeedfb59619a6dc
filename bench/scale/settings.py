"""Settings of the benchmark's server: the product's, with the bench's URL conf (adds the bare view)."""

from lianban.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.scale.urls"
