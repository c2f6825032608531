"""Tasks and log entries in people's words, and one task for repeated edits of the same thing.
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from clientcenter.models import Task
from clientcenter.services.agency.info_pane import activity_rows, task_rows
from clientcenter.services.agency.tasks import complete_task
from clientcenter.services.notify.activity import record_action
from clientcenter.services.notify.catalog import CATALOG
from clientcenter.services.notify.phrasing import PHRASES, phrase
from clientcenter.services.portal import profile
from clientcenter.services.principal import Principal
from tests.support.factories import People, make_people


@pytest.fixture
def people(session: Session) -> People:
    return make_people(session)


def _pat(people: People) -> Principal:
    return Principal.customer(people.account.id, people.primary.id)


def _open_tasks(session: Session) -> list[Task]:
    session.expire_all()
    return list(session.exec(select(Task).where(Task.status == "open").order_by(Task.id)).all())


def test_every_action_has_plain_words_and_keeps_its_catalog_name():
    assert set(PHRASES) == set(CATALOG)
    for key, (one, many) in PHRASES.items():
        assert one and one[0].islower() and one != CATALOG[key].label, key
        assert many is None or "{n}" in many, key
    assert CATALOG["customer.upload_documents"].label == "Uploads document(s)"


def test_uploads_gather_into_one_task_that_counts_them(session, people):
    pat = _pat(people)
    record_action(session, pat, "customer.upload_documents", summary="Uploaded Photo 1")
    [task] = _open_tasks(session)
    assert task.title == "Pat Rivera uploaded a document"
    record_action(session, pat, "customer.upload_documents", summary="Uploaded Photo 2")
    session.commit()

    [task] = _open_tasks(session)
    assert task.title == "Pat Rivera uploaded 2 documents"
    assert "Uploaded Photo 1" in task.body and "Uploaded Photo 2" in task.body
    [row] = task_rows(session, [task])
    assert row.title == "Pat Rivera uploaded 2 documents"


def test_three_edits_of_the_same_contact_leave_one_open_task(session, people):
    pat = _pat(people)
    for first in ("Patricia", "Patty", "Pat"):
        mine = {"first_name": first, "last_name": "Rivera", "email": "pat@example.com"}
        mine["mobile"] = "+12075550101"
        profile.edit_personal_info(session, pat, mine)
    session.commit()

    [task] = _open_tasks(session)
    assert task.title == "Pat Rivera updated their personal information"
    assert len(task.body.splitlines()) == 3  # one line per edit, with its time
    # Once it is done, the next edit opens a fresh task.
    complete_task(session, Principal.agency(people.producer.id), task.id)
    profile.edit_personal_info(
        session,
        pat,
        {"first_name": "P.", "last_name": "Rivera", "email": "pat@example.com"},
    )
    session.commit()
    [fresh] = _open_tasks(session)
    assert fresh.id != task.id and fresh.title == "P. Rivera updated their personal information"


def test_edits_of_two_different_contacts_stay_two_tasks(session, people):
    pat = _pat(people)
    details = {"contact_id": people.primary.id}
    record_action(session, pat, "customer.edit_coapplicant_info", details=details)
    record_action(
        session,
        pat,
        "customer.edit_coapplicant_info",
        details={"contact_id": people.co_applicant.id},
    )
    record_action(session, pat, "customer.edit_coapplicant_info", details=details)
    session.commit()
    assert [t.title for t in _open_tasks(session)] == [
        "Pat Rivera updated a co-applicant's information",
        "Pat Rivera updated a co-applicant's information",
    ]


def test_change_requests_say_what_was_asked_and_keep_a_task_each(session, people):
    pat = _pat(people)
    for form in ("Add a vehicle", "Change of address"):
        record_action(
            session,
            pat,
            "customer.personal_change_request",
            summary=f"Personal Change Request PCR-1: {form}",
            details={"form": form, "reference": "PCR-1"},
        )
    session.commit()
    assert [t.title for t in _open_tasks(session)] == [
        "Pat Rivera asked to add a vehicle",
        "Pat Rivera asked for a change of address",
    ]


def test_the_activity_log_reads_the_same_way(session, people):
    record_action(session, _pat(people), "customer.feedback", summary="Rated 5/5")
    viewing = Principal.agent_viewing(people.producer.id, people.account.id)
    record_action(session, viewing, "agent.login")
    session.commit()
    from clientcenter.models import ActivityLog

    rows = activity_rows(session, list(session.exec(select(ActivityLog)).all()))
    labels = {r.label for r in rows}
    assert labels == {
        "Pat Rivera left feedback",
        "Alex Morgan opened the customer's Client Center read-only",
    }
    assert phrase("customer.upload_documents", count=3) == "uploaded 3 documents"
