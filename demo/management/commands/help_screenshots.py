"""`manage.py help_screenshots`: rebuilds the pictures of the "how to fill in a
return" walk-through (static/help/*.png) from the demo, so they show the portal as
it is.

Loads the demo (idempotent) into the database the settings name, serves the portal
from a thread of this process, signs in as the demo supplier in Debian's Chromium
(Playwright) and photographs each step of `support.walkthrough.STEPS`. Run it
against a throwaway database: `make help-screenshots` uses a fresh SQLite file.
"""

import datetime
import os
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.utils import timezone

from accounts.models import User
from demo.load import DEMO_PASSWORD, load_demo
from returns.models import AnnualReturn, ReturnLine
from support.walkthrough import SCREENSHOT_DIR, STEPS

SUPPLIER_EMAIL = "supplier@example.org"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WIDTH, HEIGHT = 1000, 760  # a laptop's window: the top of each page, readable


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # the pages' requests are not news
        pass


class Command(BaseCommand):
    help = "Rebuild static/help/*.png, the walk-through's screenshots, from the demo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="the demo's today (default: today), as 2026-05-20"
        )
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright

        if not Path(CHROMIUM).exists():
            raise CommandError(f"Chromium not found at {CHROMIUM}")
        today = (
            datetime.date.fromisoformat(options["today"])
            if options["today"]
            else timezone.localdate()
        )
        load_demo(today=today)
        paths = self._paths()
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        server = ThreadedWSGIServer(
            ("127.0.0.1", options["port"]), _QuietHandler, allow_reuse_address=True
        )
        server.set_app(StaticFilesHandler(get_wsgi_application()))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{options['port']}"
        out = Path(settings.BASE_DIR) / "static" / SCREENSHOT_DIR
        out.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu"],
                )
                page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("Email address").fill(SUPPLIER_EMAIL)
                page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/returns/")
                for step in STEPS:
                    page.goto(f"{base}{paths[step.page]}")
                    if step.scroll_to:
                        page.locator(step.scroll_to).first.evaluate(
                            "e => { e.scrollIntoView({block: 'start'});"
                            " window.scrollBy(0, -90); }"
                        )
                    page.screenshot(path=str(out / f"{step.slug}.png"))
                    self.stdout.write(f"{step.image}: {paths[step.page]}")
                browser.close()
        finally:
            server.shutdown()
            connections.close_all()

    def _paths(self) -> dict[str, str]:
        user = User.objects.get(email=SUPPLIER_EMAIL)
        annual_return = (
            AnnualReturn.objects.filter(
                supplier__contacts__user=user, supplier__contacts__is_primary=True
            )
            .order_by("-year__starts_on")
            .first()
        )
        if annual_return is None:
            raise CommandError("The demo supplier has no return")
        line = (
            ReturnLine.objects.filter(annual_return=annual_return)
            .order_by("contract__reference")
            .first()
        )
        ref = annual_return.reference
        return {
            "returns": "/returns/",
            "task_list": f"/returns/{ref}/",
            "line": f"/returns/{ref}/contracts/{line.pk}/",
            "ask": f"/returns/{ref}/contracts/{line.pk}/help/",
            "spreadsheet": f"/returns/{ref}/spreadsheet/upload/",
        }
