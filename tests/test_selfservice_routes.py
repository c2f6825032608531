"""Pages of features switched off are not built at all (their services refuse as well)."""

from __future__ import annotations

from clientcenter.pages.portal import selfservice_routes
from tests.selfservice_support import set_feature


class RecordingApp:
    def __init__(self):
        self.routes: list[str] = []

    def add_page(self, component, *, route: str, title: str, on_load) -> None:
        assert title and on_load  # every page is titled and guarded by require_login
        assert on_load[0].fn.__name__ == "require_login"
        self.routes.append(route)


def test_all_pages_with_every_feature_on():
    app = RecordingApp()
    selfservice_routes.register(app)
    assert set(app.routes) == {
        "/requests", "/requests/personal", "/requests/commercial", "/requests/general",
        "/contact", "/certificates", "/proposals", "/proposals/[proposal_id]", "/refer",
        "/feedback", "/claims/[claim_id]/survey"}


def test_switched_off_features_have_no_pages(monkeypatch):
    for name in ("certificates", "proposals", "referrals", "feedback", "surveys"):
        set_feature(monkeypatch, name, False)
    app = RecordingApp()
    selfservice_routes.register(app)
    assert set(app.routes) == {"/requests", "/requests/personal", "/requests/commercial",
                               "/requests/general", "/contact"}
