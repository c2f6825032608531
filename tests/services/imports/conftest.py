"""Small exports written to a temporary directory, and the import run on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from clientcenter.models import Agent
from clientcenter.services.imports.run import ImportOptions, run_import
from clientcenter.services.imports.sources import open_source

ACCOUNTS = """Customer ID,Account Name,Type,Address,City,ST,ZIP
C100,Dana Whitfield,personal,1 Elm St,Portland,ME,04101
C200,Lobster Pot LLC,commercial,9 Wharf Rd,Bath,ME,04530
"""
CONTACTS = """Client Code,Contact ID,First Name,Last Name,Email,Cell Phone,Relationship
C100,P1,Dana,Whitfield,dana@example.org,(207) 555-0142,Primary
C100,P2,Lee,Whitfield,lee@example.org,,Spouse
C200,P3,Morgan,Tate,morgan@example.org,207-555-0177,Named Insured
"""
POLICIES = """LookupCode,Policy ID,Pol #,Carrier,NAIC,LOB,Eff Date,Exp Date,Status,Premium,Bill Method
C100,X1,PA-9000001,Casco Mutual,12345,AUTOP,01/15/2026,1/15/27,In Force,"$1,234.50",Direct Bill
C100,X2,HO-9000002,Casco Mutual,12345,Homeowners,2026-03-01,2027-03-01,Active,$980.00,Agency
C200,X3,BOP-9000003,Granite Re,,BOP,2026-02-01,2027-02-01,active,"4,410",direct
"""


def write_export(folder: Path, **files: str) -> Path:
    """``write_export(tmp, accounts=..., contacts=...)``: each text as <name>.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / f"{name}.csv"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
    return folder


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_export(
        tmp_path / "export", accounts=ACCOUNTS, contacts=CONTACTS, policies=POLICIES
    )


def producer_id(session: Session) -> int:
    return session.exec(select(Agent.id).order_by(Agent.id)).first()


def run(session: Session, folder: Path, mapping=None, **options):
    report = run_import(
        session,
        open_source(folder).files,
        mapping=mapping or {},
        default_producer_id=producer_id(session),
        options=ImportOptions(**options),
    )
    session.commit()
    return report
