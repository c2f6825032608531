"""The HTTP app Reflex serves (pages' routes aside), as a module-level ASGI app for granian's
workers in bench/api.py: the same middleware and the same /api/v1 mount."""

from clientcenter.http import build_http_app

app = build_http_app()
