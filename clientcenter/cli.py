"""Operator commands: `python -m clientcenter.cli <command>`."""

from __future__ import annotations

import argparse
import secrets
import sys

from clientcenter.settings import PROJECT_ROOT, get_settings


def migrate(database_url: str | None = None) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["configure_logger"] = False
    if database_url:
        cfg.attributes["database_url"] = database_url
    command.upgrade(cfg, "head")


def load_demo() -> bool:
    from clientcenter.db import session_scope
    from clientcenter.demo.agency import load_demo as _load

    with session_scope() as session:
        return _load(session)


def _cmd_check(_args) -> int:
    settings = get_settings()
    settings.secret()
    print(f"settings ok: {settings.branding.agency_name}, database {settings.database_url}")
    from clientcenter.services.files import storage

    try:
        print(f"storage ok: {storage.store().check()}")
    except Exception as exc:  # boto3's errors name the cause: credentials, bucket, network
        print(f"storage not reachable: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_migrate(_args) -> int:
    migrate()
    print("database schema is up to date")
    return 0


def _cmd_demo(_args) -> int:
    print("demo agency loaded" if load_demo() else "demo agency already present, nothing changed")
    return 0


def _cmd_setup(args) -> int:
    _cmd_check(args)
    _cmd_migrate(args)
    status = _cmd_demo(args)
    _sync_integration_links()
    return status


def _sync_integration_links() -> None:
    """Integration links come from configuration: bring the table in line with it."""
    from clientcenter.db import session_scope
    from clientcenter.services.portal.integrations import sync_from_settings

    with session_scope() as session:
        if sync_from_settings(session, get_settings()):
            print("integration links updated from configuration")


def _cmd_secret(_args) -> int:
    print(secrets.token_urlsafe(48))
    return 0


def _cmd_matrix(_args) -> int:
    from clientcenter.services.notify.matrix import format_matrix

    print(format_matrix(get_settings()))
    return 0


def _cmd_relay(args) -> int:
    """Send outbox messages: once (what is due now), or until interrupted."""
    import signal
    import threading

    from clientcenter.db import get_engine
    from clientcenter.delivery.relay import Relay

    relay = Relay(get_engine(), get_settings())
    if args.once:
        report = relay.drain()
        print(
            f"sent {report.sent}, retry later {report.retried}, failed {report.failed}"
            + (f", already accepted {report.reconciled}" if report.reconciled else "")
        )
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print("relay running; Ctrl-C stops it", flush=True)
    relay.run_forever(stop)
    return 0


def _cmd_mailbox(args) -> int:
    """Print the newest dev-mailbox messages (the demo's email and texts)."""
    from clientcenter.db import session_scope
    from clientcenter.delivery.dev_mailbox import format_mailbox

    if not get_settings().uses_dev_mailbox:
        print("the dev mailbox is off: delivery goes through SendGrid and Twilio")
        return 1
    with session_scope() as session:
        print(format_mailbox(session, limit=args.limit))
    return 0


def _cmd_retention(args) -> int:
    """Delete what is past its time (settings.retention), or with --dry-run only count it."""
    from clientcenter.db import session_scope
    from clientcenter.services import retention

    with session_scope() as session:
        counts = retention.apply(session, dry_run=args.dry_run)
    print(retention.format_counts(counts, get_settings().retention, dry_run=args.dry_run))
    return 0


def _confirmed(args) -> bool:
    """--force adds an administrator beside the existing ones: typed confirmation, or --yes
    where nobody can type (CI=true, no terminal)."""
    if args.yes:
        return True
    import os

    if os.environ.get("CI", "").lower() == "true" or not sys.stdin.isatty():
        print("--force needs --yes when no one can type a confirmation", file=sys.stderr)
        return False
    typed = input(f"Type the new administrator's email ({args.email}) to confirm: ")
    return typed.strip().lower() == args.email.strip().lower()


def _cmd_admin(args) -> int:
    """admin create EMAIL "Full Name": the first administrator, and their setup link."""
    from clientcenter.db import session_scope
    from clientcenter.services.agency.setup_links import LINK_HOURS
    from clientcenter.services.agency.staff import create_first_administrator
    from clientcenter.services.errors import ServiceError

    if args.force and not _confirmed(args):
        print("nothing changed", file=sys.stderr)
        return 1
    try:
        with session_scope() as session:
            made = create_first_administrator(
                session, email=args.email, full_name=args.full_name, force=args.force
            )
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"administrator {made.name} <{made.email}> is ready")
    print(f"open this setup link in the browser they will use (once, within {LINK_HOURS} hours):")
    print(made.link)
    return 0


def _cmd_import(args) -> int:
    """Import an agency's CSV export (docs/import.md); non-zero exit when rows were refused."""
    import json
    from pathlib import Path

    from clientcenter.db import session_scope
    from clientcenter.services.errors import ServiceError
    from clientcenter.services.imports.documents import import_documents
    from clientcenter.services.imports.entities import ENTITIES
    from clientcenter.services.imports.mappings import load_mapping, save_mapping
    from clientcenter.services.imports.producers import default_producer_id
    from clientcenter.services.imports.reader import FileRefused
    from clientcenter.services.imports.run import ImportOptions, run_import
    from clientcenter.services.imports.sources import open_source
    from clientcenter.services.principal import Principal

    options = ImportOptions(
        dry_run=args.dry_run,
        full=args.full,
        valid_rows_only=args.valid_rows_only,
        max_file_bytes=args.max_file_mb * 2**20,
        notify=args.notify,
    )
    try:
        source = open_source(Path(args.source))
        with session_scope() as session:
            if args.mapping_file:
                save_mapping(
                    session, args.mapping, json.loads(Path(args.mapping_file).read_text())
                )
            producer_id = default_producer_id(session, args.producer)
            report = run_import(
                session,
                source.files,
                mapping=load_mapping(session, args.mapping),
                default_producer_id=producer_id,
                options=options,
                # The notices go out as that agent (their role must allow publishing).
                principal=Principal.agency(producer_id),
            )
            import_documents(session, source, options=options, report=report)
    except (FileRefused, ServiceError, OSError, ValueError) as exc:
        print(f"import refused: {exc}", file=sys.stderr)
        return 2
    if source.ignored:
        print("not imported (not a file we read): " + ", ".join(source.ignored))
    if not source.files and source.document_manifest is None:
        looked_for = [e.file for e in ENTITIES] + ["documents.csv"]
        print(
            "no file to import found (looked for " + ", ".join(looked_for) + ")",
            file=sys.stderr,
        )
        return 2
    print(report.text())
    if args.errors_csv and report.errors:
        Path(args.errors_csv).write_text(report.errors_csv(), encoding="utf-8")
        print(f"refused rows written to {args.errors_csv}")
    return 1 if report.errors else 0


COMMANDS = {
    "check": (_cmd_check, "validate settings and exit"),
    "migrate": (_cmd_migrate, "apply database migrations"),
    "demo": (_cmd_demo, "load the demo agency (idempotent)"),
    "setup": (_cmd_setup, "check settings, migrate, load the demo agency"),
    "secret": (_cmd_secret, "print a new random secret key"),
    "matrix": (_cmd_matrix, "print the notification matrix in force"),
    "relay": (_cmd_relay, "send outbox messages (--once: what is due now, then exit)"),
    "mailbox": (_cmd_mailbox, "print the newest dev-mailbox messages"),
    "retention": (_cmd_retention, "delete what is past its time (--dry-run: only count it)"),
    "admin": (_cmd_admin, 'admin create EMAIL "Full Name": the first administrator'),
    "import": (_cmd_import, "import an agency's CSV export (a directory or a zip)"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clientcenter", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    parsers = {
        name: sub.add_parser(name, help=help_text) for name, (_fn, help_text) in COMMANDS.items()
    }
    parsers["relay"].add_argument(
        "--once", action="store_true", help="send what is due now, then exit"
    )
    parsers["mailbox"].add_argument(
        "--limit", type=int, default=10, help="how many messages (newest first)"
    )
    parsers["retention"].add_argument(
        "--dry-run", action="store_true", help="say what would be deleted, delete nothing"
    )
    admin = parsers["admin"]
    admin.add_argument("action", choices=["create"])
    admin.add_argument("email")
    admin.add_argument("full_name", metavar="FULL_NAME")
    admin.add_argument(
        "--force", action="store_true", help="add one even though an administrator exists"
    )
    admin.add_argument("--yes", action="store_true", help="confirm --force without a prompt")
    _import_arguments(parsers["import"])
    args = parser.parse_args(argv)
    return COMMANDS[args.command][0](args)


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="a directory or .zip holding accounts.csv, policies.csv…")
    p.add_argument("--mapping", required=True, help='a saved column mapping ("auto": by name)')
    p.add_argument("--mapping-file", help="a JSON mapping to save under --mapping first")
    p.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    p.add_argument(
        "--full", action="store_true", help="retire imported records absent from the files"
    )
    p.add_argument(
        "--valid-rows-only", action="store_true", help="apply valid rows, report the rest"
    )
    p.add_argument("--producer", help="the producer (agent email) of accounts without one")
    p.add_argument(
        "--notify",
        action="store_true",
        help="send the Policies/Invoices notice to each account the import changed, as the "
        "--producer agent (a dry run counts the emails and texts)",
    )
    p.add_argument("--errors-csv", help="write the refused rows to this CSV file")
    p.add_argument("--max-file-mb", type=int, default=512, help="refuse larger files unread")


if __name__ == "__main__":
    sys.exit(main())
