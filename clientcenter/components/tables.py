"""Tables that a phone scrolls sideways, reachable by keyboard, and text for screen readers only.

Radix's ``Table.Root`` wraps its table in a ScrollArea whose viewport is the scrolling box: a
keyboard cannot reach it (it holds nothing focusable), and axe reports it
(scrollable-region-focusable). ``scroll_table`` keeps Radix's table look (its class names) on
a plain ``<table>`` in one named region with a tab stop, which is then the only scroller."""

from __future__ import annotations

import reflex as rx

_Table = type(rx.el.table())


class TableRoot(_Table):
    """A plain ``<table>``, named so Reflex lets Radix's header, body and rows sit in it."""


# Hidden from sight, read by screen readers (a tick or a dash beside it is decoration).
SCREEN_READER_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


def screen_reader_text(text) -> rx.Component:
    return rx.el.span(text, style=SCREEN_READER_ONLY)


def scroll_table(
    *children: rx.Component, label: str, id: str | None = None, size: str = "1"
) -> rx.Component:
    """A Radix-styled table in a region named ``label`` that scrolls sideways on a narrow
    screen; the region takes the focus so arrow keys scroll it."""
    return rx.el.div(
        TableRoot.create(*children, class_name="rt-TableRootTable", id=id),
        class_name=f"rt-TableRoot rt-r-size-{size} rt-variant-ghost",
        role="region",
        aria_label=label,
        tab_index=0,
        style={"width": "100%", "overflow_x": "auto"},
    )
