"""Run a production build of the portal on a free local port — for browser tests, multi-worker
tests and benchmarks. Each run gets its own database, private store and dev mailbox."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from clientcenter import routes
from clientcenter.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServedApp:
    url: str
    env: dict[str, str]
    database_url: str
    process: subprocess.Popen
    log_path: Path

    def backend_pids(self) -> list[int]:
        """The app's processes (supervisor and workers), for memory figures."""
        out = subprocess.run(
            ["pgrep", "-g", str(os.getpgid(self.process.pid))], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]


# The demo agency's [payments.offline]: a real deployment sets its own (the default is none,
# so that no agency ever shows customers bank details that are not its own).
DEMO_PAYEE = {
    "CC_PAYMENTS__OFFLINE__PAYEE_NAME": "Harbor & Main Insurance",
    "CC_PAYMENTS__OFFLINE__MAILING_ADDRESS": (
        "Harbor & Main Insurance\nAttn: Billing\n200 Harbor Street, Suite 4\nPortland, ME 04101"
    ),
    "CC_PAYMENTS__OFFLINE__BANK_NAME": "Casco Bay Bank",
    "CC_PAYMENTS__OFFLINE__ROUTING_NUMBER": "011000015",
    "CC_PAYMENTS__OFFLINE__ACCOUNT_NUMBER": "000123456789",
}


def app_env(
    *,
    url: str,
    data_dir: Path,
    database_url: str,
    redis_url: str | None = None,
    workers: int | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CC_", "REFLEX_REDIS", "GRANIAN_"))
    }
    env.update(
        {
            "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "DATABASE_URL": database_url,
            "CLIENTCENTER_CONFIG": str(data_dir / "absent.toml"),
            # A fresh key per served app (clients read it from ServedApp.env); the constant this
            # module used to ship is on settings.KNOWN_WEAK_SECRETS.
            "CC_SECRET_KEY": secrets.token_urlsafe(48),
            "CC_STORAGE_DIR": str(data_dir / "files"),
            "CC_PUBLIC_URL": url,
            **DEMO_PAYEE,
        }
    )
    if redis_url:
        env["REFLEX_REDIS_URL"] = redis_url
    if workers:
        env["GRANIAN_WORKERS"] = str(workers)
    env.update(extra or {})
    return env


@contextmanager
def serve_app(
    data_dir: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    workers: int | None = None,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
    project_root: Path = PROJECT_ROOT,
    setup: bool = True,
    timeout: float = 480,
) -> Iterator[ServedApp]:
    """Build and serve the app in prod mode (one port); stop it on exit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    url = f"http://localhost:{port}"
    database_url = database_url or f"sqlite:///{data_dir / 'app.db'}"
    env = app_env(
        url=url,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        workers=workers,
        extra=extra_env,
    )
    if setup:
        subprocess.run(
            [sys.executable, "-m", "clientcenter.cli", "setup"],
            env=env,
            cwd=project_root,
            check=True,
            capture_output=True,
        )
    log_path = data_dir / "reflex.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "reflex"),
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
                "--backend-host",
                "127.0.0.1",
            ],
            cwd=project_root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(url, proc, log_path, timeout)
            yield ServedApp(url, env, database_url, proc, log_path)
        finally:
            stop(proc)


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited while starting:\n{log.read_text()[-4000:]}")
        try:
            if (
                httpx.get(url + routes.HEALTHZ, timeout=2).status_code == 200
                and httpx.get(url + "/", timeout=2).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {timeout:.0f}s:\n{log.read_text()[-4000:]}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
