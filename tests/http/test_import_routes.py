"""The import page over HTTP: the upload (our pages only, a role that may import, files to the
private store), the refused rows as CSV through a link bound to the agent's session (formula
cells made inert, nothing without that session), and the templates."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter import routes
from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.models.audit import AuditEvent
from clientcenter.models.imports import ImportRun
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.imports import run_worker, runs
from tests.services.imports.conftest import ACCOUNTS
from tests.support.demo import LEE_CHEN, RIVERA
from tests.support.logins import agent_session, customer_session

ORIGIN = "http://localhost:3000"
BAD_ACCOUNTS = ACCOUNTS.replace("04530", "=1+1")


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url=ORIGIN, headers={"origin": ORIGIN}) as c:
        yield c


def _as(client, token):
    client.cookies.clear()
    if token:
        client.cookies.set(session_cookie_name(), token)
    return client


def _upload(client, text: str = BAD_ACCOUNTS, name: str = "accounts.csv", **kwargs):
    return client.post(
        routes.IMPORT_UPLOAD_ROUTE,
        files=[("files", (name, text.encode(), "text/csv"))],
        follow_redirects=False,
        **kwargs,
    )


def _runs(db) -> list[ImportRun]:
    db.expire_all()
    return list(db.exec(select(ImportRun)).all())


def test_an_upload_makes_a_run_and_goes_to_its_page(demo, client):
    login = agent_session(demo)
    response = _upload(_as(client, login.token))
    assert response.status_code == 303
    [run] = _runs(demo)
    assert response.headers["location"] == routes.import_run_path(run.id)
    assert run.files["accounts"]["headers"][:2] == ["Customer ID", "Account Name"]
    assert run.agent_id == login.principal.agent_id


@pytest.mark.parametrize("who", ["nobody", "customer", "read-only view", "service role"])
def test_the_upload_refuses_anyone_who_may_not_import(demo, client, who):
    token = {
        "nobody": lambda: None,
        "customer": lambda: customer_session(demo).token,
        "read-only view": lambda: agent_session(demo, RIVERA).token,
        "service role": lambda: agent_session(demo, email=LEE_CHEN).token,
    }[who]()
    response = _upload(_as(client, token))
    assert response.status_code == 403 and _runs(demo) == []
    if who == "service role":
        assert refusal(Permission.IMPORT_DATA) in response.text


def test_the_upload_refuses_another_origin_and_names_a_wrong_file(demo, client):
    token = agent_session(demo).token
    response = _upload(_as(client, token), headers={"origin": "https://evil.example"})
    assert response.status_code == 403 and _runs(demo) == []
    response = _upload(client, name="Customers.xlsx")
    assert response.status_code == 400
    assert "None of these files is one we import (Customers.xlsx)" in response.text


def _previewed_run(demo, client):
    login = agent_session(demo)
    _upload(_as(client, login.token))
    [run] = _runs(demo)
    runs.begin_preview(demo, login.principal, run.id)
    demo.commit()
    run_worker.work(run.id, dry_run=True)
    demo.expire_all()
    return login, run


def test_the_refused_rows_download_as_inert_csv_for_the_session_that_asked(demo, client):
    login, run = _previewed_run(demo, client)
    path = runs.errors_link(demo, login.principal, run.id)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    assert f"import-{run.id}-refused-rows.csv" in response.headers["content-disposition"]
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["file"], row["line"], row["column"], row["value"]) == (
        "accounts.csv",
        "3",
        "postal_code",
        "'=1+1",
    )
    demo.expire_all()
    assert demo.exec(select(AuditEvent.action)).all()[-1] == "import.errors_download"


def test_the_errors_link_is_nothing_without_its_session(demo, client):
    login, run = _previewed_run(demo, client)
    path = runs.errors_link(demo, login.principal, run.id)
    other = agent_session(demo)  # the same agent, another browser
    for token in (None, other.token, customer_session(demo).token):
        response = _as(client, token).get(path)
        assert response.status_code == 404 and "=1+1" not in response.text
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert _as(client, login.token).get(forged).status_code == 404
    assert _as(client, login.token).get(path).status_code == 200


def test_templates_are_the_header_lines(client):
    response = client.get(routes.import_template_path("contacts"))
    assert response.status_code == 200
    assert response.text.startswith("customer_id,contact_id,first_name,last_name,email")
    assert 'filename="contacts.csv"' in response.headers["content-disposition"]
    assert client.get(routes.import_template_path("passwords")).status_code == 404
