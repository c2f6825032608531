"""The operator's command line: ``admin create`` bootstraps the first administrator."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from clientcenter import cli
from clientcenter.models import Agent, StaffEnrolmentLink


def _admins(engine) -> list[Agent]:
    with Session(engine) as s:
        return list(s.exec(select(Agent).where(Agent.role == "administrator")).all())


def test_admin_create_makes_the_first_administrator_and_prints_the_setup_link(engine, capsys):
    assert cli.main(["admin", "create", "Owner@Agency.example", "Sam  Park"]) == 0
    out = capsys.readouterr().out
    assert "administrator Sam Park <owner@agency.example> is ready" in out
    link = out.strip().splitlines()[-1]
    assert link.startswith("http") and "/agent/enrol/" in link
    (admin,) = _admins(engine)
    assert admin.is_active and admin.totp_secret_sealed is None
    with Session(engine) as s:
        (row,) = s.exec(select(StaffEnrolmentLink)).all()
    assert row.agent_id == admin.id and row.purpose == "invite"


def test_admin_create_refuses_when_an_administrator_exists(engine, capsys):
    cli.main(["admin", "create", "owner@agency.example", "Sam Park"])
    capsys.readouterr()
    assert cli.main(["admin", "create", "other@agency.example", "Ali Khan"]) == 1
    assert "An administrator already exists" in capsys.readouterr().err
    assert len(_admins(engine)) == 1


def test_force_needs_yes_where_nobody_can_type(engine, capsys, monkeypatch):
    cli.main(["admin", "create", "owner@agency.example", "Sam Park"])
    monkeypatch.setenv("CI", "true")
    assert cli.main(["admin", "create", "other@agency.example", "Ali Khan", "--force"]) == 1
    assert "--force needs --yes" in capsys.readouterr().err
    assert len(_admins(engine)) == 1
    argv = ["admin", "create", "other@agency.example", "Ali Khan", "--force", "--yes"]
    assert cli.main(argv) == 0
    assert len(_admins(engine)) == 2


def test_force_asks_for_the_email_typed_at_a_terminal(engine, capsys, monkeypatch):
    cli.main(["admin", "create", "owner@agency.example", "Sam Park"])
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: "someone-else@agency.example")
    assert cli.main(["admin", "create", "other@agency.example", "Ali Khan", "--force"]) == 1
    assert "nothing changed" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda _prompt: "OTHER@agency.example")
    assert cli.main(["admin", "create", "other@agency.example", "Ali Khan", "--force"]) == 0


@pytest.mark.parametrize(
    ("email", "name", "words"),
    [("not-an-email", "Sam Park", "not valid"), ("a@agency.example", "Sam", "first and last")],
)
def test_admin_create_bad_input_changes_nothing(engine, capsys, email, name, words):
    assert cli.main(["admin", "create", email, name]) == 1
    assert words in capsys.readouterr().err
    assert _admins(engine) == []
