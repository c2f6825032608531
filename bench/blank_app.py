"""The framework's floor: a blank Reflex page with one state var, built and served exactly
like the portal (prod mode, one port, same Reflex and Node), for side-by-side page figures."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clientcenter.demo.serve import free_port, stop, wait_until_up

RXCONFIG = """import reflex as rx
config = rx.Config(app_name="blank", telemetry_enabled=False, show_built_with_reflex=False,
                   plugins=[rx.plugins.RadixThemesPlugin()], disable_plugins=[rx.plugins.SitemapPlugin])
"""
APP = """import reflex as rx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


class BlankState(rx.State):
    greeting: str = "Hello"


def index():
    return rx.text(BlankState.greeting, id="blank-text")


async def healthz(_request):
    return JSONResponse({"status": "ok"})


app = rx.App(api_transformer=Starlette(routes=[Route("/healthz", healthz)]))
app.add_page(index, route="/")
"""


@contextmanager
def serve_blank_app() -> Iterator[str]:
    import os
    import subprocess

    with tempfile.TemporaryDirectory(prefix="cc-blank-") as tmp:
        root = Path(tmp)
        (root / "blank").mkdir()
        (root / "blank" / "__init__.py").write_text("")
        (root / "blank" / "blank.py").write_text(APP)
        (root / "rxconfig.py").write_text(RXCONFIG)
        port = free_port()
        venv_bin = str(Path(sys.executable).parent)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("REFLEX_REDIS")},
            "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
            "REFLEX_USE_NPM": "1",
            "REFLEX_API_URL": f"http://localhost:{port}",
            "REFLEX_DEPLOY_URL": f"http://localhost:{port}",
        }
        log_path = root / "reflex.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [
                    str(Path(venv_bin) / "reflex"),
                    "run",
                    "--env",
                    "prod",
                    "--frontend-port",
                    str(port),
                    "--backend-port",
                    str(port),
                ],
                cwd=root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                wait_until_up(f"http://localhost:{port}", proc, log_path, 480)
                yield f"http://localhost:{port}"
            finally:
                stop(proc)
