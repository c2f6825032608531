"""A readable page of the API from its own OpenAPI schema, served by us: no script, nothing
fetched from another site (FastAPI's Swagger UI loads its code from a CDN)."""

from __future__ import annotations

import html
from typing import Any

from fastapi.responses import HTMLResponse

from clientcenter import routes

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1c2024}code,pre{font-family:ui-monospace,monospace;font-size:.9em}"
    "h2{margin-top:2rem;border-bottom:1px solid #ddd}.op{margin:1rem 0 1.5rem}"
    ".m{display:inline-block;min-width:3.5rem;font-weight:700}"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;"
    "text-align:left;vertical-align:top}"
)


def _e(value: Any) -> str:
    return html.escape(str(value))


def _ref_name(schema: dict) -> str:
    ref = schema.get("$ref") or ""
    if not ref and schema.get("type") == "array":
        return _ref_name(schema.get("items", {})) + "[]"
    return ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")


def _fields_table(name: str, components: dict) -> str:
    schema = components.get(name, {})
    props = schema.get("properties", {})
    if not props:
        return ""
    required = set(schema.get("required", []))
    rows = []
    for field, spec in props.items():
        kinds = [s.get("type") or _ref_name(s) for s in spec.get("anyOf", [spec])]
        rows.append(
            f"<tr><td><code>{_e(field)}</code></td><td>{_e(' | '.join(filter(None, kinds)))}"
            f"{' (format ' + _e(spec['format']) + ')' if spec.get('format') else ''}</td>"
            f"<td>{'yes' if field in required else ''}</td>"
            f"<td>{_e(spec.get('description', ''))}</td></tr>"
        )
    return (
        f"<table><tr><th>{_e(name)}</th><th>type</th><th>required</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
    )


def render(schema: dict) -> str:
    components = schema.get("components", {}).get("schemas", {})
    parts = [
        "<!doctype html><meta charset=utf-8><title>Client Center API</title>",
        f"<style>{_STYLE}</style><h1>{_e(schema['info']['title'])} {_e(schema['info']['version'])}</h1>",
        f"<p>{_e(schema['info'].get('description', ''))}</p>",
        f"<p>Machine-readable: <a href='{_e(routes.API_PREFIX + routes.API_OPENAPI)}'>"
        "openapi.json</a>. Every call sends <code>Authorization: Bearer &lt;key&gt;</code>.</p>",
    ]
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            parts.append("<div class=op>")
            parts.append(
                f"<h2><span class=m>{_e(method.upper())}</span> "
                f"<code>{_e(routes.API_PREFIX + path)}</code></h2>"
            )
            parts.append(f"<p>{_e(op.get('description') or op.get('summary', ''))}</p>")
            params = op.get("parameters", [])
            if params:
                parts.append("<table><tr><th>parameter</th><th>in</th><th></th></tr>")
                for p in params:
                    parts.append(
                        f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['in'])}</td>"
                        f"<td>{_e(p.get('description', ''))}</td></tr>"
                    )
                parts.append("</table>")
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                parts.append("<p>Body (JSON; unknown fields are refused):</p>")
                parts.append(_fields_table(_ref_name(body["schema"]), components))
            answers = ", ".join(
                f"{_e(code)} {_e(_ref_name(r.get('content', {}).get('application/json', {}).get('schema', {})))}".strip()
                for code, r in op.get("responses", {}).items()
            )
            parts.append(f"<p>Answers: {answers}</p></div>")
    return "".join(parts)


def docs_response(schema: dict) -> HTMLResponse:
    return HTMLResponse(render(schema), headers={"Cache-Control": "no-store"})
