"""Benchmark: the bytes each handbook page transfers on a phone, cold and warm.

Loads a small demo city (`partyorg demo --scale ward`) into a scratch SQLite database, serves it
with uvicorn on loopback, logs in as the demo member `dangvien` in Chromium (390×844, Playwright),
and for each page counts the bytes that crossed the network (Chrome's encodedDataLength: headers
and compressed bodies) on a cold visit (empty cache, no service worker) and a warm one (the same
page again, with the HTTP cache; the service worker is blocked, as Chrome reports its fetches
apart from the page's; with it, pages still come from the network first and the static files
from its cache, so a warm visit costs about the page's own HTML).

    .venv/bin/python bench/handbook_bytes.py [--members 2000]
"""

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PASSWORD = "demo-partyorg-2025"  # accounts/demo.py
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
PAGES = [
    ("Trang chủ", "/so-tay/"),
    ("Hồ sơ", "/so-tay/ho-so/"),
    ("Tài liệu", "/so-tay/tai-lieu/"),
    ("Tài liệu (một)", "/so-tay/tai-lieu/{doc}/"),
    ("Thông báo", "/so-tay/thong-bao/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def transferred(page, url: str) -> int:
    """Bytes over the network while `url` loads (and its subresources settle)."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    total = [0]
    session.on(
        "Network.loadingFinished",
        lambda e: total.__setitem__(0, total[0] + int(e["encodedDataLength"])),
    )
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    session.detach()
    return total[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="hb-bytes-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "PARTYORG_DEMO": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # A scratch key: the demo's documents are stored encrypted, as in production.
        "PARTYORG_ENCRYPTION_KEYS": "bmFOb3RBUmVhbEtleUJ1dEZpbmVGb3JBQmVuY2gxMjM=",
    }
    python = str(ROOT / ".venv" / "bin" / "python")

    def run(*command: str) -> None:
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)

    run("migrate", "--noinput")
    run("demo", "--scale", "ward", "--members", str(args.members))
    doc = (
        subprocess.run(
            [
                python,
                "manage.py",
                "shell",
                "-c",
                "from handbook.models import Document; print(Document.objects.order_by('pk').first().pk)",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "uvicorn",
            "partyorg.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            setup = browser.new_context(base_url=base, locale="vi-VN")
            page = setup.new_page()
            page.goto("/accounts/login/")
            page.fill("#id_username", "dangvien")
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button:has-text('Đăng nhập')")
            page.wait_for_load_state()
            state = setup.storage_state()
            setup.close()
            rows = []
            for label, path in PAGES:
                url = path.format(doc=doc)
                context = browser.new_context(
                    base_url=base,
                    viewport={"width": 390, "height": 844},
                    locale="vi-VN",
                    storage_state=state,
                    # Chrome reports a service worker's own fetches on its target, not the
                    # page's: blocked here, so every byte is counted (warm = the HTTP cache).
                    service_workers="block",
                )
                page = context.new_page()
                cold = transferred(page, url)
                warm = transferred(page, url)
                rows.append((label, url, cold, warm))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{'page':<18} {'url':<26} {'cold bytes':>11} {'warm bytes':>11}")
    for label, url, cold, warm in rows:
        print(f"{label:<18} {url:<26} {cold:>11,} {warm:>11,}".replace(",", "."))
    print(f"\nreproduce: .venv/bin/python bench/handbook_bytes.py --members {args.members}")


if __name__ == "__main__":
    main()
