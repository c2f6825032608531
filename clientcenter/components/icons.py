"""Icons picked at run time from a fixed set.

``rx.icon(<Var>)`` compiles to lucide's DynamicIcon, which puts a 55 KB map of every lucide
icon into the page's JavaScript and fetches the chosen icon only after the page has rendered
(and makes the build emit a chunk per lucide icon). Rendering each candidate icon statically
behind rx.cond / rx.match ships just those few icons, in the page's own chunk.
"""

from __future__ import annotations

import reflex as rx


def icon_if(condition, when_true: str, when_false: str, **props) -> rx.Component:
    return rx.cond(condition, rx.icon(when_true, **props), rx.icon(when_false, **props))


def icon_match(value, icons: dict[str, str], default: str, **props) -> rx.Component:
    return rx.match(
        value,
        *((key, rx.icon(name, **props)) for key, name in icons.items()),
        rx.icon(default, **props),
    )
