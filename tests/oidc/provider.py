"""Start panva's oidc-provider (tests/oidc/server.mjs) on loopback for the login tests."""

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


def npm_ci() -> None:
    """Install the provider's locked dependencies once (`make test` does it too)."""
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
        timeout=600,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Provider:
    issuer: str
    port: int
    client_id: str
    client_secret: str


@contextmanager
def oidc_provider(
    *,
    accounts: dict[str, dict[str, str]],
    acr_values: list[str],
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    cccd_claim: str = "cccd",
    client_id: str = "partyorg-test",
    client_secret: str = "partyorg-test-secret-0123456789abcdef",
) -> Iterator[Provider]:
    npm_ci()
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": client_id,
        "CLIENT_SECRET": client_secret,
        "REDIRECT_URIS": ",".join(redirect_uris),
        "POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        "ACCOUNTS": json.dumps(accounts),
        "ACR_VALUES": ",".join(acr_values),
        "CCCD_CLAIM": cccd_claim,
        "NODE_ENV": "test",
    }
    process = subprocess.Popen(
        ["node", str(HERE / "server.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while True:
            line = process.stdout.readline()
            if line.startswith("listening "):
                break
            if not line and process.poll() is not None:
                raise RuntimeError(f"the OIDC provider exited ({process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError("the OIDC provider did not start within 30 s")
        # Keep reading its output, so a chatty provider never blocks on a full pipe.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield Provider(f"http://127.0.0.1:{port}", port, client_id, client_secret)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
