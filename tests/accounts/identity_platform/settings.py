"""Settings of the test identity platform (see the package docstring)."""

import os

SECRET_KEY = "identity-platform-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.accounts.identity_platform.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["IDENTITY_PLATFORM_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/login/"
SITE_URL = os.environ["IDENTITY_PLATFORM_URL"]
OIDC_USERINFO = "tests.accounts.identity_platform.claims.userinfo"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.accounts.identity_platform.claims.IdentityScopeClaims"
OIDC_IDTOKEN_EXPIRE = 600
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
