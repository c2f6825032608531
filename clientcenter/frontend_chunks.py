"""How the production build splits the portal's JavaScript into files.

Left to itself, the bundler gives every module shared by two pages its own chunk: each lucide
icon, each Radix Themes part, each Radix primitive. A first visit to /home then fetched ~50
files before React could start (the blank Reflex page: 10), and over HTTP/1.1 (6 connections
a host, every file a round trip through the Python static server) that queue — not the
bytes — was most of the extra load time. These groups put the icons and the third-party
packages every page uses into one file each, so a page loads about as many files as a blank
Reflex page. The page's own code still comes per route.

A Reflex plugin, because vite.config.js is generated on every build: ``pre_compile`` adds the
groups to the generated config (``rxconfig.py`` registers it).
"""

from __future__ import annotations

from pathlib import Path

import reflex as rx

VITE_CONFIG = "vite.config.js"

# Where Reflex's template lists its own group; ours go right after it.
_ANCHOR = 'name: "reflex-env",\n            },'

# Packages only a page or two use; left out of the vendor file, so other pages don't load them
# (the bundler gives them a chunk shared by the pages that do): file uploads on /documents
# and /requests, the debounced input on /billing.
PAGE_PACKAGES = ("react-dropzone", "file-selector", "attr-accept", "react-debounce-input")

# The icons group holds only the icons pages name as long as no page uses lucide's
# DynamicIcon (rx.icon given a Var; see components/icons.py): its lazy imports of all ~1,600
# icons would land in this one file, so post_build refuses such a build. Vendor goes first so
# that React, which lucide imports, stays in the vendor file.
GROUPS = """
            {
              name: "vendor",
              test: /node_modules[\\\\/](?!(lucide-react|%s)[\\\\/])/,
              priority: 20,
            },
            {
              name: "icons",
              test: /node_modules[\\\\/]lucide-react[\\\\/]/,
              priority: 10,
            },""" % "|".join(PAGE_PACKAGES)


def add_chunk_groups(config_js: str) -> str:
    if 'name: "vendor"' in config_js:
        return config_js
    if _ANCHOR not in config_js:
        raise RuntimeError(
            f"ChunkGroups cannot patch {VITE_CONFIG}: the anchor {_ANCHOR!r} is not in it "
            "(Reflex's Vite config template changed); update clientcenter/frontend_chunks.py."
        )
    return config_js.replace(_ANCHOR, _ANCHOR + GROUPS, 1)


def check_no_dynamic_icon(web_dir: Path) -> None:
    """Refuse a build in which a page imports lucide's DynamicIcon (see GROUPS)."""
    sources = [*web_dir.glob("app/**/*.jsx"), *web_dir.glob("app_components/**/*.jsx")]
    for source in sorted(sources):
        if "lucide-react/dynamic" in source.read_text():
            raise RuntimeError(
                f"{source.relative_to(web_dir)} uses lucide's DynamicIcon (rx.icon, or a "
                "callout's icon, was given a Var): with the icons chunk group every page would "
                "load all lucide icons. Pick among fixed icons with "
                "clientcenter/components/icons.py instead."
            )


class ChunkGroups(rx.plugins.Plugin):
    def pre_compile(self, **context):
        context["add_modify_task"](VITE_CONFIG, add_chunk_groups)

    def post_build(self, **context):
        from reflex.utils.prerequisites import get_web_dir

        check_no_dynamic_icon(get_web_dir())
