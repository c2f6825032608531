"""The matrix as data: packaged default, agency overrides, the printed table."""

from __future__ import annotations

import subprocess
import sys

from clientcenter.services.notify.catalog import ACTIONS
from clientcenter.services.notify.matrix import default_matrix, format_matrix, matrix_rows
from clientcenter.services.notify.matrix_cells import COLUMNS
from clientcenter.settings import PROJECT_ROOT, load_settings


def test_default_has_every_action_and_every_column():
    matrix = default_matrix()
    assert list(matrix) == [a.key for a in ACTIONS]
    assert all(set(cells.as_dict()) == set(COLUMNS) for cells in matrix.values())
    assert all(cells.log for cells in matrix.values())


def test_rows_mark_the_agencys_overrides(monkeypatch):
    monkeypatch.setenv("CC_MATRIX", '{"agent.logoff": {"agent_email": true}}')
    rows = {r.key: r for r in matrix_rows(load_settings())}
    assert rows["agent.logoff"].cells["agent_email"] is True
    assert rows["agent.logoff"].overridden == ("agent_email",)
    assert rows["agent.login"].overridden == ()
    assert rows["agency.share_certificate"].section_title == "Portal Section"


def test_printed_table_reads_like_the_docs(monkeypatch):
    text = format_matrix(load_settings())
    for title in ("Customer Section", "Agent Section", "Portal Section"):
        assert title in text
    line = next(l for l in text.splitlines() if l.startswith("Claim Experience Survey"))
    assert [c.strip() for c in line.split("|")[1:]] == ["✓", "", "", "✓", "✓"]
    assert "*" not in text


def test_matrix_command(tmp_path):
    cfg = tmp_path / "cc.toml"
    cfg.write_text('[matrix."customer.feedback"]\nagent_email = false\n')
    env = {
        "CLIENTCENTER_CONFIG": str(cfg),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    out = subprocess.run(
        [sys.executable, "-m", "clientcenter.cli", "matrix"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(l for l in out.splitlines() if l.startswith("Feedback"))
    assert [c.strip() for c in line.split("|")[1:]] == ["*", "", "", "✓", "✓"]
    assert "changed by the agency" in out
    cfg.write_text('[matrix."customer.feedback"]\nagent_mail = false\n')
    bad = subprocess.run(
        [sys.executable, "-m", "clientcenter.cli", "matrix"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "unknown column 'agent_mail'" in bad.stderr
