"""The two ways in: the agency side (its role must allow importing) and the command line."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from clientcenter import cli
from clientcenter.models import Account, ActivityLog
from clientcenter.services.errors import NotAllowed
from clientcenter.services.imports.run import ImportOptions, import_for_agent
from clientcenter.services.imports.sources import open_source
from tests.services.imports.conftest import ACCOUNTS, write_export
from tests.support.demo import AGENT, PRIYA, agency_agent, agent_named


def test_only_a_role_that_may_import_imports(demo, export):
    files = open_source(export).files
    with pytest.raises(NotAllowed, match="import data"):
        import_for_agent(demo, agency_agent(demo, PRIYA), files, mapping_name="auto")
    report = import_for_agent(demo, agency_agent(demo, AGENT), files, mapping_name="auto")
    assert report.errors == []
    new = demo.exec(select(Account).where(Account.external_id == "C100")).one()
    assert new.producer_id == agent_named(demo, AGENT).id


def test_cli_dry_run_then_apply_then_refusal(demo, export, tmp_path, capsys):
    assert cli.main(["import", str(export), "--mapping", "auto", "--dry-run"]) == 0
    assert "3 would be created" in capsys.readouterr().out
    assert demo.exec(select(Account).where(Account.external_id == "C100")).first() is None

    assert cli.main(["import", str(export), "--mapping", "auto", "--producer", PRIYA]) == 0
    out = capsys.readouterr().out
    assert "Import applied." in out and "customers notified: 0" in out
    new = demo.exec(select(Account).where(Account.external_id == "C100")).one()
    assert new.producer_id == agent_named(demo, PRIYA).id

    bad = write_export(tmp_path / "bad", accounts=ACCOUNTS.replace("04101", "=1+1"))
    errors_csv = tmp_path / "errors.csv"
    code = cli.main(["import", str(bad), "--mapping", "auto", "--errors-csv", str(errors_csv)])
    assert code == 1
    assert "accounts.csv, line 2, column postal_code ('=1+1')" in capsys.readouterr().out
    assert "'=1+1" in errors_csv.read_text()


def test_cli_saves_a_mapping_and_reuses_it(demo, tmp_path, capsys):
    folder = write_export(tmp_path / "x", accounts=ACCOUNTS.replace("Account Name", "Insured Nm"))
    mapping = tmp_path / "nightly.json"
    mapping.write_text(json.dumps({"accounts": {"Insured Nm": "name"}}))
    args = ["import", str(folder), "--mapping", "nightly"]
    assert cli.main([*args, "--mapping-file", str(mapping)]) == 0
    assert cli.main(args) == 0
    assert "2 unchanged" in capsys.readouterr().out
    assert cli.main(["import", str(folder), "--mapping", "weekly"]) == 2
    assert 'No import mapping is saved as "weekly"' in capsys.readouterr().err


def test_cli_notify_counts_then_sends_as_the_producer(demo, export, capsys):
    args = ["import", str(export), "--mapping", "auto", "--producer", AGENT, "--notify"]
    assert cli.main([*args, "--dry-run"]) == 0
    assert "applied, the notice would go 2 by email, 0 by text" in capsys.readouterr().out
    assert cli.main(args) == 0
    assert "customers notified: 2 (2 by email, 0 by text)" in capsys.readouterr().out
    assert cli.main(args) == 0  # unchanged: nobody is told twice
    assert "customers notified: 0 (0 by email, 0 by text)" in capsys.readouterr().out


def test_the_agency_side_notifies_as_the_importing_agent(demo, export):
    files = open_source(export).files
    agent = agency_agent(demo, AGENT)
    report = import_for_agent(
        demo, agent, files, mapping_name="auto", options=ImportOptions(notify=True)
    )
    assert report.customers_notified == 2
    entries = demo.exec(
        select(ActivityLog).where(ActivityLog.action_key == "agency.publish_policies_invoices")
    ).all()
    assert {e.actor_agent_id for e in entries} == {agent.agent_id}
