"""Reflex configuration. Agency settings live in clientcenter.settings, not here."""

import os

import reflex as rx

from clientcenter.components.brand import build_theme
from clientcenter.frontend_chunks import ChunkGroups
from clientcenter.settings import get_settings

_settings = get_settings()
_public = str(_settings.public_url).rstrip("/")

config = rx.Config(
    app_name="clientcenter",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # One origin serves pages, websocket and HTTP routes (prod mode, single port).
    api_url=os.environ.get("REFLEX_API_URL", _public),
    deploy_url=_public,
    cors_allowed_origins=[_public],
    trusted_proxy_hops=_settings.security.trusted_proxy_hops,
    # Tab state: in this worker's memory when it is the only one (nothing pickled to disk,
    # and no file write per event), Redis when REFLEX_REDIS_URL is set for several workers.
    state_manager_mode=(
        rx.constants.StateManagerMode.REDIS
        if os.environ.get("REFLEX_REDIS_URL")
        else rx.constants.StateManagerMode.MEMORY
    ),
    # The theme is the agency's branding, read from settings at build time.
    # ChunkGroups: fewer, larger JavaScript files per page (clientcenter/frontend_chunks.py).
    plugins=[rx.plugins.RadixThemesPlugin(theme=build_theme(_settings)), ChunkGroups()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
