"""The build's chunk groups (clientcenter/frontend_chunks.py) and the rule they rely on: no
page uses lucide's DynamicIcon."""

import pytest
import reflex as rx

from clientcenter.frontend_chunks import GROUPS, add_chunk_groups, check_no_dynamic_icon


def _reflex_vite_config() -> str:
    from reflex.utils.frontend_skeleton import _compile_vite_config

    return _compile_vite_config(rx.config.get_config())


def test_groups_go_into_reflexs_generated_vite_config():
    original = _reflex_vite_config()
    patched = add_chunk_groups(original)
    assert GROUPS in patched
    assert patched.index('name: "reflex-env"') < patched.index('name: "vendor"')
    assert patched.index('name: "vendor"') < patched.index('name: "icons"')
    assert add_chunk_groups(patched) == patched  # once only


def test_a_changed_template_stops_the_build():
    with pytest.raises(RuntimeError, match="anchor"):
        add_chunk_groups("export default defineConfig({});")


def _uses_dynamic_icon(component: rx.Component) -> bool:
    return any(
        lib.startswith("lucide-react") and imp.tag == "DynamicIcon"
        for lib, imports in component._get_all_imports().items()
        for imp in imports
    )


def test_no_page_uses_dynamic_icon():
    from clientcenter.clientcenter import app

    assert _uses_dynamic_icon(rx.box(rx.icon(rx.State.router.page.path)))  # what is looked for
    offenders = [
        route
        for route, page in app._unevaluated_pages.items()
        if _uses_dynamic_icon(page.component())
    ]
    assert offenders == []


def test_post_build_refuses_a_dynamic_icon(tmp_path):
    pages = tmp_path / "app_components" / "clientcenter" / "pages"
    pages.mkdir(parents=True)
    (pages / "fine.jsx").write_text('import LucideEye from "lucide-react/dist/esm/icons/eye.mjs"')
    check_no_dynamic_icon(tmp_path)
    (pages / "bad.jsx").write_text('import {DynamicIcon} from "lucide-react/dynamic.mjs"')
    with pytest.raises(RuntimeError, match="bad.jsx"):
        check_no_dynamic_icon(tmp_path)
