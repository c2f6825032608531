"""Logged-in customers for benchmarks, made through the session service directly (the login
flow's own speed is measured by bench.login)."""

from __future__ import annotations

import os
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlmodel import Session

from clientcenter.settings import reset_settings_cache


@contextmanager
def app_settings(app):
    """Run service code with the served app's settings (database, secret key)."""
    saved = dict(os.environ)
    os.environ.update(app.env)
    reset_settings_cache()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_settings_cache()


def customer_session_tokens(app, n: int) -> list[str]:
    """n session tokens spread over the demo's loginable customers."""
    from clientcenter.services.accounts import loginable_contacts
    from clientcenter.services.auth.sessions import create_session

    emails = [
        "pat.rivera@example.com",
        "sam.rivera@example.com",
        "morgan.ellis@example.com",
        "minh.nguyen@example.com",
        "grace.kim@example.com",
        "jose.alvarez@example.com",
    ]
    tokens = []
    with app_settings(app):
        engine = create_engine(app.database_url)
        with Session(engine) as s:
            pairs = [loginable_contacts(s, e)[0] for e in emails]
            for i in range(n):
                contact, account = pairs[i % len(pairs)]
                _, token = create_session(
                    s,
                    kind="customer",
                    email=contact.email,
                    contact_id=contact.id,
                    account_id=account.id,
                )
                tokens.append(token)
            s.commit()
        engine.dispose()
    return tokens
