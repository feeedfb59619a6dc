"""WSGI entry point (``lianban serve`` uses waitress; gunicorn works too)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianban.config.settings")
application = get_wsgi_application()
