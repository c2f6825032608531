"""The Reflex app: the HTTP routes, the backend's error handling, the in-app relay, and every
page (registered in clientcenter/routes.py). The theme is set in rxconfig.py."""

import reflex as rx

from clientcenter import routes
from clientcenter.components.brand import global_styles
from clientcenter.http import build_http_app
from clientcenter.settings import get_settings
from clientcenter.state.base import handle_backend_exception

app = rx.App(
    api_transformer=build_http_app(),
    # A handler whose session has ended sends its tab to the login page (state/base.py).
    backend_exception_handler=handle_backend_exception,
    head_components=[
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        # The installable app: manifest, home-screen icon, and the service worker's
        # registration (http/routes/wallet.py), which keeps the ID cards for offline use.
        rx.el.link(rel="manifest", href=routes.WEB_MANIFEST),
        rx.el.link(rel="apple-touch-icon", href=routes.APP_ICON_PREFIX + "192.png"),
        rx.el.script(src=routes.SERVICE_WORKER_REGISTER, defer=True),
        global_styles(),
        # navigator.credentials for passkeys (components/portal/passkeys.py).
        rx.el.script(src=routes.PASSKEYS_SCRIPT),
    ],
)
if get_settings().delivery.relay_in_app:
    from clientcenter.delivery.background import relay_lifespan

    app.register_lifespan_task(relay_lifespan)
routes.register(app)
