"""Reference numbers customers can read out on the phone: a prefix and six characters.

The alphabet leaves out 0/O and 1/I so nobody has to ask "zero or oh?". Six characters from 32
give about a billion values; a clash is checked before use and the column is unique anyway.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from clientcenter.models import ChangeRequest

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 6

PREFIXES = {
    "personal": "CR",
    "commercial": "CR",
    "general": "GR",
    "contact_us": "HC",
    "certificate": "CT",
}


def new_reference(session: Session, kind: str) -> str:
    prefix = PREFIXES[kind]
    for _ in range(20):
        reference = f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        taken = session.exec(
            select(ChangeRequest.id).where(ChangeRequest.reference == reference)
        ).first()
        if taken is None:
            return reference
    raise RuntimeError("could not find a free reference number")  # 20 clashes in a row: a bug
