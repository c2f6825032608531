"""Every page is registered in clientcenter/routes.py, with one title format; pages of
features switched off are not built at all (their services refuse as well)."""

from __future__ import annotations

from clientcenter import routes
from tests.support.settings import set_feature

SELF_SERVICE = {
    "/requests",
    "/requests/personal",
    "/requests/commercial",
    "/requests/general",
    "/contact",
}
FEATURE_PAGES = {
    "/certificates",
    "/proposals",
    "/proposals/[proposal_id]",
    "/refer",
    "/feedback",
    "/claims/[claim_id]/survey",
}
BEFORE_LOGIN = {"/", "/embed/login", "/pay/[pay_token]", "/shared/[shared_token]", "/agent/login"}


class RecordingApp:
    def __init__(self):
        self.pages: dict[str, tuple[str, list]] = {}

    def add_page(self, component, *, route: str, title: str, on_load) -> None:
        assert route not in self.pages, f"{route} registered twice"
        self.pages[route] = (title, on_load if isinstance(on_load, list) else [on_load])


def _registered() -> RecordingApp:
    app = RecordingApp()
    routes.register(app)
    return app


def test_every_page_behind_login_is_guarded_first_and_titled_one_way():
    app = _registered()
    suffix = routes.page_title()
    for route, (title, on_load) in app.pages.items():
        assert title.endswith(suffix), (route, title)
        if route in BEFORE_LOGIN:
            continue
        guard = on_load[0].fn.__name__
        assert guard in ("require_login", "require_agent_login"), (route, guard)
        assert (guard == "require_agent_login") == route.startswith("/agent"), route


def test_all_pages_with_every_feature_on():
    assert SELF_SERVICE | FEATURE_PAGES <= set(_registered().pages)


def test_switched_off_features_have_no_pages(monkeypatch):
    for name in ("certificates", "proposals", "referrals", "feedback", "surveys"):
        set_feature(monkeypatch, name, False)
    pages = set(_registered().pages)
    assert SELF_SERVICE <= pages and not pages & FEATURE_PAGES
