"""A real OpenID Connect provider (django-oidc-provider) for the single sign-on tests, run as its own server.

Its own Django project (settings, URLs, SQLite database in a temporary
directory), started by ``tests/accounts/test_sso.py`` in a separate process on
a port of its own: lianban talks to it over HTTP exactly as to a provincial
identity platform (authorization code flow, RS256-signed ID tokens checked
against its JWKS, the userinfo endpoint).
"""
