"""Issue 16 handlers, called as a browser would: Billing's Pay all (the total is the server's;
another account's bills are out of reach), the read-only view's Profile (shown, not sent to
Home), and "Signed in as" after a name change. Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from clientcenter.models import Contact, Invoice, Payment
from clientcenter.state.portal.account import AccountState
from clientcenter.state.portal.billing import BillingState
from clientcenter.state.portal.profile_edit import ProfileEditState
from tests.support.demo import ELLIS, PAT, RIVERA, account_named
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session


def _open_bills(db, name: str) -> list[Invoice]:
    db.expire_all()
    account = account_named(db, name)
    return list(
        db.exec(
            select(Invoice).where(
                Invoice.account_id == account.id,
                Invoice.status == "open",
                Invoice.published == True,  # noqa: E712
            )
        ).all()
    )


def _pending(db) -> list[Payment]:
    db.expire_all()
    return list(db.exec(select(Payment).where(Payment.status == "pending")).all())


def test_pay_all_pays_this_accounts_bills_for_the_servers_total(demo):
    mine = _open_bills(demo, RIVERA)
    theirs = _open_bills(demo, ELLIS)
    state = page_state(BillingState, customer_session(demo, PAT, RIVERA).cookie)
    settle(state.load())
    assert state.pay_all_count == len(mine) >= 2
    settle(state.start_pay_all())
    assert state.paying_all and state.paying_balance == state.pay_all_total
    # A browser may set any var: a made-up total is refused and nothing is recorded.
    state.pay_all_cents = 1
    settle(state.set_method("check"))
    settle(state.submit_payment())
    assert "the total is now " + state.pay_all_total in state.form_error
    assert _pending(demo) == []
    settle(state.submit_payment())  # the refreshed total, seen by the payer now
    assert state.notice_kind == "success" and not state.paying_all
    assert sorted(p.invoice_id for p in _pending(demo)) == sorted(i.id for i in mine)
    assert state.summary_state == "pending"
    assert state.pending_lines and "pending until the agency confirms it" in state.pending_lines[0]
    # the other customer's bills are untouched
    assert sorted(i.id for i in _open_bills(demo, ELLIS)) == sorted(i.id for i in theirs)


def test_read_only_profile_shows_the_customer_instead_of_sending_the_agent_home(demo):
    state = page_state(AccountState, agent_session(demo, RIVERA).cookie, path="/profile")
    assert settle(state.load()) is None  # no redirect
    assert state.read_only and state.full_name == "Pat Rivera" and state.accounts == []
    assert state.account_name == RIVERA
    sections = page_state(ProfileEditState, agent_session(demo, RIVERA).cookie)
    settle(sections.load())
    assert sections.read_only and sections.me.first_name == "Pat"
    # still read-only: a save is refused and changes nothing
    settle(sections.save_personal({"first_name": "Mallory", "last_name": "Rivera"}))
    assert sections.form_error or sections.field_errors
    demo.expire_all()
    assert demo.exec(select(Contact).where(Contact.first_name == "Mallory")).all() == []


def test_signed_in_as_follows_a_name_change(demo):
    login = customer_session(demo, PAT, RIVERA)
    account = page_state(AccountState, login.cookie, path="/profile")
    settle(account.load())
    assert account.full_name == "Pat Rivera"
    sections = page_state(ProfileEditState, login.cookie)
    settle(sections.load())
    me = sections.me
    follow_up = settle(
        sections.save_personal(
            {
                "first_name": "Patricia",
                "last_name": me.last_name,
                "email": me.email,
                "mobile": me.mobile,
            }
        )
    )
    assert sections.saved_message
    assert "refresh_name" in str(follow_up)
    settle(account.refresh_name())
    assert account.full_name == "Patricia Rivera"
