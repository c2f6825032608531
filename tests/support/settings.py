"""Settings for one test: CC_ variables set through monkeypatch, the cache reset."""

from __future__ import annotations

import pytest

from clientcenter.settings import reset_settings_cache


def use_settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    """Set CC_ settings for this test (e.g. PAYMENTS__ALLOW_PARTIAL="true")."""
    for name, value in values.items():
        monkeypatch.setenv(f"CC_{name}", value)
    reset_settings_cache()


def set_feature(monkeypatch: pytest.MonkeyPatch, name: str, on: bool) -> None:
    use_settings(monkeypatch, **{f"FEATURES__{name.upper()}": "true" if on else "false"})
