"""Every page is registered in clientcenter/routes.py, with one title format; pages of
features switched off are not built at all (their services refuse as well)."""

from __future__ import annotations

import ast
from pathlib import Path

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
BEFORE_LOGIN = {
    "/",
    "/embed/login",
    "/pay/[pay_token]",
    "/shared/[shared_token]",
    "/join/[join_token]",  # a household invitation, opened before the invitee can log in
    "/agent/login",
    "404",
}


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


# --- every path in routes.py --------------------------------------------------------------------

PACKAGE = Path(routes.__file__).parent
# Strings that start like one of our paths and are not one, with the reason.
NOT_PATHS: dict[tuple[str, str], str] = {}


def _path_prefixes() -> set[str]:
    """The first segment of every path routes.py names ("/agent", "/auth", "/pay", …)."""
    found = set()
    for value in vars(routes).values():
        for text in value if isinstance(value, tuple) else (value,):
            if isinstance(text, str) and text.startswith("/") and len(text) > 1:
                found.add("/" + text[1:].split("/")[0].split("?")[0].split("#")[0])
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _path_literals(source: str, prefixes: set[str]) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if (
            not isinstance(node, ast.Constant)
            or not isinstance(node.value, str)
            or id(node) in skip
        ):
            continue
        text = node.value
        if text.startswith(("/?", "/#")) or any(  # the login page's "/", or a named path
            text == p or text.startswith((p + "/", p + "?", p + "#")) for p in prefixes
        ):
            found.append((node.lineno, text))
    return found


def test_the_path_scan_sees_literals_in_strings_and_f_strings():
    prefixes = _path_prefixes()
    assert {"/agent", "/auth", "/files", "/pay", "/policies", "/webhooks"} <= prefixes
    source = (
        '"""/home/x: a docstring"""\n'
        'a = "/agent/tasks"\nb = f"/policies/{n}"\nc = "/?next=" + p\nd = "/agency"\ne = "/"\n'
    )
    found = sorted(text for _, text in _path_literals(source, prefixes))
    assert found == ["/?next=", "/agent/tasks", "/policies/"]


def test_no_page_or_route_path_is_written_outside_routes_py():
    prefixes = _path_prefixes()
    offenders = []
    for file in sorted(PACKAGE.rglob("*.py")):
        name = file.relative_to(PACKAGE).as_posix()
        if name == "routes.py":
            continue
        for line, text in _path_literals(file.read_text(), prefixes):
            if (name, text) not in NOT_PATHS:
                offenders.append(f"clientcenter/{name}:{line}: {text!r}")
    assert not offenders, "use the constants or builders of clientcenter/routes.py:\n" + "\n".join(
        offenders
    )
