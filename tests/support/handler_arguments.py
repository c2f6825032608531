"""Arguments for calling every handler of a state as a browser could: values built from one
account's real ids, form fields taken from the services', states' and pages' own source, and
the route arguments the states read (tests/services/agency/test_read_only_enforcement.py,
tests/state/test_agent_states.py)."""

from __future__ import annotations

import functools
import inspect
import re
import typing
from pathlib import Path

from sqlmodel import Session, select

from clientcenter.models import (
    Certificate,
    CertificateHolder,
    Claim,
    Contact,
    Document,
    Driver,
    IntegrationLink,
    Invoice,
    Policy,
    Proposal,
    Vehicle,
)

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


@functools.cache
def form_keys() -> frozenset[str]:
    """Every name a form field could have: the identifier-like string literals of the
    services, states and pages (services drop keys they do not allow-list)."""
    import ast

    import clientcenter

    root = Path(clientcenter.__file__).parent
    keys: set[str] = set()
    for folder in ("services", "state", "pages", "components"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and _IDENTIFIER.match(node.value)
                ):
                    keys.add(node.value)
    return frozenset(keys)


@functools.cache
def request_form_fields():
    """The guided request forms' fields (key, kind, options), when that module exists."""
    try:
        from clientcenter.services.portal import request_forms
    except ImportError:
        return [], []
    fields = [f for form in request_forms.ALL_FORMS for f in form.fields]
    subtypes = sorted({form.subtype for form in request_forms.ALL_FORMS})
    return fields, subtypes


def account_ids(db: Session, account_id: int) -> dict[str, list[int]]:
    policies = db.exec(select(Policy.id).where(Policy.account_id == account_id)).all()
    ids = {
        "policy": list(policies),
        "vehicle": list(db.exec(select(Vehicle.id).where(Vehicle.policy_id.in_(policies))).all()),
        "driver": list(db.exec(select(Driver.id).where(Driver.policy_id.in_(policies))).all()),
        "document": list(
            db.exec(select(Document.id).where(Document.account_id == account_id)).all()
        ),
        "invoice": list(db.exec(select(Invoice.id).where(Invoice.account_id == account_id)).all()),
        "certificate": list(
            db.exec(select(Certificate.id).where(Certificate.account_id == account_id)).all()
        ),
        "holder": list(
            db.exec(
                select(CertificateHolder.id).where(CertificateHolder.account_id == account_id)
            ).all()
        ),
        "proposal": list(
            db.exec(select(Proposal.id).where(Proposal.account_id == account_id)).all()
        ),
        "claim": list(db.exec(select(Claim.id).where(Claim.account_id == account_id)).all()),
        "contact": list(db.exec(select(Contact.id).where(Contact.account_id == account_id)).all()),
        "link": list(db.exec(select(IntegrationLink.id)).all()),
    }
    ids["auto_policy"] = list(
        db.exec(
            select(Policy.id).where(
                Policy.account_id == account_id, Policy.line.in_(("auto", "commercial_auto"))
            )
        ).all()
    )
    return {k: v or [1] for k, v in ids.items()}


def value_for(key: str, ids: dict[str, list[int]]) -> str:
    k = key.lower()
    for kind, values in ids.items():
        if k in (f"{kind}_id", kind, f"{kind}_ids") or k.startswith(f"{kind}_id"):
            return str(values[0])
    if "email" in k:
        return "changed.by.test@example.com"
    if "mobile" in k or "phone" in k:
        return "(207) 555-0199"
    if "date" in k:
        from datetime import date, timedelta

        return (date.today() + timedelta(days=10)).isoformat()
    if k in ("rating", "score") or k.startswith("q"):
        return "5"
    if "amount" in k or "payroll" in k or "value" in k:
        return "1234.56"
    if k in ("year",):
        return "2022"
    if k == "vin":
        return "1HGCM82633A004352"
    if k in ("state", "license_state"):
        return "ME"
    if "zip" in k or "postal" in k:
        return "04101"
    if k in ("decision", "answer"):
        return "accept"
    if k in ("channel", "method"):
        return "email"
    if k.startswith(("notify", "may_", "is_", "agree", "confirm")):
        return "on"
    return "Changed in read-only mode"


def by_kind(field, ids: dict[str, list[int]]) -> str:
    """A valid value for a guided request form field of this kind."""
    from datetime import date, timedelta

    kind = field.kind
    if kind in ("policy", "auto_policy", "vehicle", "driver"):
        return str(ids[kind][0])
    if field.options:
        return field.options[0][0]
    return {
        "date": (date.today() + timedelta(days=10)).isoformat(),
        "state": "ME",
        "zip": "04101",
        "vin": "1HGCM82633A004352",
        "year": "2022",
        "integer": "3",
        "money": "1234.56",
        "email": "changed.by.test@example.com",
        "phone": "(207) 555-0199",
    }.get(kind, "Changed in read-only mode")


def forms(ids: dict[str, list[int]]) -> list[dict[str, str]]:
    made = []
    for these in (ids, {k: v[1:] + v[:1] for k, v in ids.items()}):
        form = {key: value_for(key, these) for key in form_keys()}
        fields, _subtypes = request_form_fields()
        form.update({f.key: by_kind(f, these) for f in fields})
        made.append(form)
    return made


WORDS = [
    "email",
    "sms",
    "personal",
    "preferences",
    "co_applicant",
    "accept",
    "decline",
    "general",
    "open",
    "done",
    "all",
    "check",
    "bank_transfer",
    "offline",
    "card",
]


def scalar_candidates(name: str, annotation, ids: dict[str, list[int]]) -> list:
    """Ids of the kind a parameter names ("invoice_id": the account's invoices), else words
    the pages pass (channels, sections, request types, payment methods)."""
    name = name.lower()
    values = [v for kind, found in ids.items() if kind in name for v in found[:3]]
    if values:
        return values if annotation in (int, "int") else [str(v) for v in values]
    if annotation in (int, "int") or name in ("id", "object_id"):
        return [found[0] for found in ids.values()]
    return WORDS + request_form_fields()[1]


def upload_files() -> list:
    import io

    import pikepdf

    # A real one-page PDF: the upload scan parses files, and a catalog without a page tree
    # is refused as damaged before any write could happen.
    out = io.BytesIO()
    with pikepdf.new() as blank:
        blank.add_blank_page()
        blank.save(out)
    pdf = out.getvalue()

    class FakeUpload:
        filename = name = "read-only-test.pdf"
        content_type = "application/pdf"
        size = len(pdf)

        async def read(self, size: int = -1):
            return pdf if size < 0 else pdf[:size]

    return [FakeUpload()]


def argument_sets(fn, ids) -> list[tuple]:
    params = list(inspect.signature(fn).parameters.values())[1:]
    if not params:
        return [()]
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable annotations: fall back to names
        hints = {}
    per_param = []
    for p in params:
        annotation = hints.get(p.name, p.annotation)
        origin = typing.get_origin(annotation) or annotation
        if origin is dict or p.name in ("form", "form_data", "data"):
            per_param.append(forms(ids))
        elif origin is list or p.name in ("files", "uploads"):
            per_param.append([upload_files()])
        elif annotation is bool:
            per_param.append([True, False])
        else:
            per_param.append(scalar_candidates(p.name, annotation, ids))
    # Every value of each parameter at least once, without the full product.
    longest = max(len(c) for c in per_param)
    return [tuple(c[i % len(c)] for c in per_param) for i in range(longest)]


_ROUTE_PARAM = re.compile(r"""params\.get\(\s*["']([a-z_0-9]+)["']""")


def route_params(ids: dict[str, list[int]]) -> dict[str, str]:
    """Every dynamic route argument the states read, with a value from the account."""
    import clientcenter.state as state_package

    names = set()
    for path in Path(state_package.__file__).parent.rglob("*.py"):
        names.update(_ROUTE_PARAM.findall(path.read_text()))
    return {name: value_for(name, ids) for name in names}
