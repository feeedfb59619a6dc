"""WSGI entry point (``lianban serve`` uses waitress; gunicorn works too).

The server refuses to start without the personal-data keys (outside DEBUG and ``lianban demo``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianban.config.settings")
application = get_wsgi_application()

from lianban.common.crypto import keys_required  # noqa: E402 - needs the settings configured above

keys_required()
