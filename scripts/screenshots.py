"""Take the user guide's screenshots (docs/img/*.png) from the real demo data.

    .venv/bin/python scripts/screenshots.py [--out docs/img] [--customers 12] [--keep]
                                            [--only service-requests]

What it does, so the pictures are always what a fresh `make demo` shows:
1. seeds the demo data into a throw-away SQLite database in a temporary directory
   (DATABASE_URL and AFTERSALES_VAR_DIR point there: `aftersales migrate`, `createcachetable`,
   `seed_demo`);
2. starts `aftersales runserver` on a free port;
3. drives Debian's /usr/bin/chromium with Playwright (sync API), logging in as the demo
   users (password `demo-<username>-2026`), doing what the guide describes (a search, a
   software update with a note, a document upload, a bad import) and saving the pictures;
   for the service desk it also drops three mails the intake cannot place into the mail
   triage (an unknown sender, a reply to a closed request, a number that does not exist).

Needs a Chinese font (apt-get install fonts-noto-cjk or fonts-wqy-microhei; the script
refuses to run without one, else every Chinese name is a row of empty boxes) and, for the
few symbols, fonts-noto-color-emoji. `--only service-requests` takes just the pictures of
the service desk, mail triage, outbox and portal (half the time).

Nothing outside the temporary directory and the output directory is touched; the server is
stopped and the directory removed at the end (`--keep` leaves the directory for a look).
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - one list of browser flags

AFTERSALES = Path(sys.executable).parent / "aftersales"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# The pictures the guide uses; anything else in the output directory named *.png is stale.
PICTURES = (
    "login", "dashboard-zh", "dashboard-en", "customer-list", "customer-detail", "contract-detail",
    "equipment-edit", "equipment-detail", "warranty-cards-overdue", "import-errors", "api-docs",
    "audit-log", "phone-equipment-list", "phone-menu-open", "customer-user-view",
    # Service requests
    "dashboard-service-requests", "agent-console", "breaking-soon", "ticket-detail", "ticket-replay",
    "contract-sla-policy", "equipment-label", "mail-triage", "mail-detail", "notifications-outbox",
    "phone-portal-list", "phone-portal-request",
)


def demo_password(username: str) -> str:
    return f"demo-{username}-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(AFTERSALES), *args], env=env, cwd=REPO, capture_output=True,  # noqa: S603 - our own CLI
                            text=True)
    if result.returncode != 0:
        sys.exit(f"`aftersales {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"runserver exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2):  # noqa: S310 - http://127.0.0.1 only
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"runserver did not answer on {url} within {seconds} s")


def pick_examples(env: dict[str, str]) -> dict[str, str]:
    """Choose what to show from the seeded data (before the browser starts: the ORM must not
    run inside Playwright's event loop)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.assets.selectors import warranty_cards_overdue
    from aftersales.customers.models import Contract, Customer

    today = timezone.localdate()
    manager = User.objects.get(username="manager")
    # A key customer with several sites, contracts and units makes the fullest pages.
    customer = Customer.objects.filter(tier="key").order_by("code").first()
    contract = Contract.objects.filter(customer=customer).order_by("number").first()
    # The most recently accepted overdue unit: still in warranty, and its page offers the
    # "issue warranty card" form.
    unit = warranty_cards_overdue(user=manager, today=today).last()
    customer1 = User.objects.get(username="customer1").customer
    return {
        **ticket_examples(customer1, triage_mails()),
        "customer_search": customer.name[:2],
        "customer_url": customer.get_absolute_url(),
        "contract_url": contract.get_absolute_url(),
        "unit_url": unit.get_absolute_url(),
        "unit_serial": unit.serial,
        "unit_version": unit.software_version,
        "existing_serial": unit.serial,
        "customer_code": customer.code,
        "customer1_name": customer1.name,
        "unit_label_url": f"{unit.get_absolute_url()}label/",
    }


def ticket_examples(customer1, triage_mail_id: int) -> dict[str, str]:
    """The service requests to show: an open one with running clocks, one the manager
    re-graded (replayed just before the re-grade), and an open one of customer1's."""
    from django.db.models import Count, F
    from django.utils import timezone

    from aftersales.tickets.choices import Status
    from aftersales.tickets.models import GradeChange, Ticket

    open_statuses = [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS]
    # The open request with the most targets already met: a full clocks table and timeline.
    live = (Ticket.objects.filter(status__in=open_statuses, assignee__isnull=False)
            .order_by("-updated_at").first()) or Ticket.objects.filter(status__in=open_statuses).first()
    # An upgrade by a person (L4 -> L2, say): the replay shows the lower level's due times.
    change = (GradeChange.objects.filter(automatic=False, to_level__lt=F("from_level"))
              .select_related("ticket").order_by("-at").first())
    replay_at = timezone.localtime(change.at - datetime.timedelta(minutes=1))
    # customer1's request with the longest story: promises kept, waiting for the customer, ...
    own = (Ticket.objects.filter(customer=customer1).annotate(steps=Count("events"))
           .order_by("-steps", "-created_at").first())
    return {
        "ticket_url": live.get_absolute_url(),
        "replay_url": f"{change.ticket.get_absolute_url()}?at={replay_at:%Y-%m-%dT%H:%M}",
        "portal_ticket_url": f"/portal/requests/{own.pk}/",
        "mail_url": f"/mail/{triage_mail_id}/",
    }


def triage_mails() -> int:
    """Mails the intake cannot place, received as the SMTP endpoint would; returns the first."""
    from email.message import EmailMessage

    from aftersales.mailin.choices import MailVia
    from aftersales.mailin.services import mail_receive
    from aftersales.tickets.choices import Status
    from aftersales.tickets.models import Ticket

    closed = Ticket.objects.filter(status=Status.CLOSED).order_by("-updated_at").first()
    mails = [
        ("王建国 <wang.jianguo@example.net>", "数据中心 UPS 告警，请尽快联系",
         "您好，\n\n我们机房的 UPS 今天上午 9 点开始持续告警，面板显示电池故障。\n"
         "设备序列号在机身背面，拍照见附件。请安排工程师联系我：138 0000 1234。\n\n王建国"),
        ("李娜 <li.na@example.org>", f"Re: [{closed.number}] {closed.subject}",
         "问题又出现了，麻烦再看一下。\n\n> 您好，问题已解决，工单将关闭。"),
        ("zhao.lei@example.com", "Re: SR-2026-999999 维保续签",
         "请问这个工单的续签合同什么时候寄出？"),
    ]
    ids = []
    for number, (sender, subject, text) in enumerate(mails, start=1):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, "service@example.com", subject
        message["Message-ID"] = f"<screenshots-{number}@example.net>"
        message.set_content(text)
        if number == 1:
            message.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(40_000), maintype="image", subtype="png",
                                   filename="ups-panel.png")
        mail, _new = mail_receive(message.as_bytes(), via=MailVia.SMTP)
        ids.append(mail.pk)
    return ids[0]


def bad_import_csv(directory: Path, examples: dict[str, str]) -> Path:
    """An equipment file with four mistakes: the import refuses all of it and lists each."""
    path = directory / "equipment-with-mistakes.csv"
    path.write_text(
        "product_model,serial,customer_code,site_name,accepted_on,software_version\n"
        f"NO-SUCH-MODEL,SN-IMPORT-001,{examples['customer_code']},x,2026-01-05,1.0\n"
        f"NO-SUCH-MODEL,{examples['existing_serial']},NOBODY,x,2026-13-40,1.0\n"
        ",SN-IMPORT-003,,,,\n",
        encoding="utf-8",
    )
    return path


def take_pictures(base: str, out: Path, examples: dict[str, str], workdir: Path, only: str = "") -> None:
    from playwright.sync_api import expect, sync_playwright

    def shot(page, name: str, full_page: bool = False, element=None) -> None:
        """The viewport, the whole page, or one `element` (a locator) of it."""
        assert name in PICTURES, name
        if full_page:
            page.evaluate("window.scrollTo(0, 0)")  # else the sticky menu bar lands mid-picture
        if element is not None:
            element.screenshot(path=str(out / f"{name}.png"))
        else:
            page.screenshot(path=str(out / f"{name}.png"), full_page=full_page)
        print(f"  {name}.png")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)

        def session(username: str | None, *, locale: str = "en-US", viewport=DESKTOP, language: str = "en", **kw):
            """A browser context logged in as `username`, its UI switched to `language`."""
            context = browser.new_context(locale=locale, viewport=viewport, reduced_motion="reduce", **kw)
            context.set_default_timeout(20_000)
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            if username is None:
                return page
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", demo_password(username))
            page.click("main form button[type=submit]")
            try:
                page.wait_for_url(f"{base}/")
            except Exception:
                sys.exit(f"logging in as {username} failed; the page says:\n{page.inner_text('main')[:500]}")
            if language == "en":
                context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
                page.reload()
            return page

        if only == "service-requests":
            service_request_pictures(session, shot, base, examples)
            browser.close()
            return

        # Logging in, in Chinese (the default language).
        page = session(None, locale="zh-CN", viewport={"width": 1366, "height": 700})
        page.fill("input[name=username]", "manager")
        shot(page, "login")
        page.context.close()

        # The service manager's dashboard, in Chinese, then the same in English.
        page = session("manager", locale="zh-CN", language="zh-hans")
        expect(page.locator("canvas").first).to_be_visible()
        shot(page, "dashboard-zh", full_page=True)
        page.context.close()

        manager = session("manager")
        expect(manager.locator("canvas").first).to_be_visible()
        shot(manager, "dashboard-en")

        # Finding a customer: the search narrows the table as one types.
        manager.goto(f"{base}/customers/customers/")
        manager.get_by_label("Search").fill(examples["customer_search"])
        manager.wait_for_url(lambda url: "q=" in url)
        manager.wait_for_load_state("networkidle")
        shot(manager, "customer-list")
        manager.goto(base + examples["customer_url"])
        shot(manager, "customer-detail", full_page=True)

        # A contract with its items, warranty terms and an uploaded document.
        manager.goto(base + examples["contract_url"])
        signed = workdir / "signed-contract.pdf"
        signed.write_bytes(b"%PDF-1.4\n% demo contract scan\n%%EOF\n")
        documents = manager.locator("#documents")
        documents.get_by_label("Title").fill("Signed contract (scan)")
        documents.locator("input[type=file]").set_input_files(str(signed))
        documents.get_by_role("button", name="Upload").click()
        expect(manager.locator(".alert-success")).to_be_visible()
        shot(manager, "contract-detail", full_page=True)

        # A field engineer records a software upgrade with a note; the history shows the diff.
        engineer = session("engineer")
        engineer.goto(base + examples["unit_url"] + "edit/")
        engineer.get_by_label("Software version").fill(bump_version(examples["unit_version"]))
        engineer.get_by_label("Note").fill("Upgraded on site after the vendor's security advisory")
        shot(engineer, "equipment-edit", full_page=True)
        engineer.get_by_role("button", name="Save").click()
        expect(engineer.locator(".alert-success")).to_be_visible()
        engineer.context.close()

        # The unit as the manager sees it: warranty panel, history, QR code, card form.
        manager.goto(base + examples["unit_url"])
        expect(manager.locator("#history")).to_contain_text("security advisory")
        shot(manager, "equipment-detail", full_page=True)

        manager.goto(f"{base}/assets/warranty-cards/overdue/")
        shot(manager, "warranty-cards-overdue")

        # An import with mistakes: nothing is written, every error listed.
        manager.goto(f"{base}/core/import/?kind=equipment")
        manager.get_by_label("What to import").select_option("equipment")
        manager.locator("input[type=file]").set_input_files(str(bad_import_csv(workdir, examples)))
        manager.locator("main form button[type=submit]").click()
        expect(manager.locator("#import-errors")).to_be_visible()
        shot(manager, "import-errors")

        manager.goto(f"{base}/api/v1/docs")
        expect(manager.locator(".swagger-ui .opblock").first).to_be_visible()
        shot(manager, "api-docs")
        manager.context.close()

        admin = session("admin")
        admin.goto(f"{base}/core/audit/")
        shot(admin, "audit-log")
        admin.context.close()

        # The field engineer on a phone: the list shows the columns that matter; the menu folds.
        phone = session("engineer", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        phone.goto(f"{base}/assets/equipment/")
        shot(phone, "phone-equipment-list")
        phone.get_by_role("button", name="Show menu").tap()
        expect(phone.locator("#main-nav")).to_be_visible()
        phone.wait_for_timeout(400)  # the collapse animation
        shot(phone, "phone-menu-open")
        phone.context.close()

        # A customer user sees only its own organisation.
        customer = session("customer1")
        customer.goto(f"{base}/customers/customers/")
        expect(customer.locator("#object-table tbody tr")).to_have_count(1)
        expect(customer.locator("#object-table")).to_contain_text(examples["customer1_name"])
        customer.goto(f"{base}/")
        shot(customer, "customer-user-view")
        customer.context.close()

        service_request_pictures(session, shot, base, examples)
        browser.close()


def service_request_pictures(session, shot, base: str, examples: dict[str, str]) -> None:
    """The service desk: console, breaking soon, a request with clocks and its replay, the
    contract's SLA policy, a unit's QR label, mail triage, the outbox, the portal on a phone."""
    from playwright.sync_api import expect

    # The field engineer's home page: the requests assigned to them, what breaks soon and the
    # provisional deadlines (the manager has nothing assigned, so that card would be empty).
    engineer = session("engineer")
    expect(engineer.locator("[data-count=provisional_deadlines]")).to_be_visible()
    expect(engineer.locator("[data-count=my_tickets] li").first).to_be_visible()
    engineer.wait_for_timeout(1200)  # the countdowns tick once
    shot(engineer, "dashboard-service-requests")
    engineer.context.close()

    manager = session("manager")

    manager.goto(f"{base}/tickets/")
    expect(manager.locator("table tbody tr").first).to_be_visible()
    manager.wait_for_timeout(1200)  # the countdowns tick once
    shot(manager, "agent-console")

    manager.goto(f"{base}/tickets/breaking/")
    shot(manager, "breaking-soon", full_page=True)

    manager.goto(base + examples["ticket_url"])
    manager.wait_for_timeout(1200)
    shot(manager, "ticket-detail", full_page=True)
    manager.goto(base + examples["replay_url"])
    expect(manager.get_by_test_id("replay")).to_be_visible()
    shot(manager, "ticket-replay", full_page=True)

    manager.goto(base + examples["contract_url"])
    shot(manager, "contract-sla-policy", element=manager.locator("#sla-policy"))

    manager.goto(base + examples["unit_label_url"])
    shot(manager, "equipment-label", element=manager.get_by_test_id("unit-label"))
    manager.context.close()

    agent = session("agent")
    agent.goto(f"{base}/mail/")
    expect(agent.locator("#triage-table tbody tr").first).to_be_visible()
    shot(agent, "mail-triage", full_page=True)
    agent.goto(base + examples["mail_url"])
    shot(agent, "mail-detail", full_page=True)
    agent.context.close()

    admin = session("admin")
    admin.goto(f"{base}/notifications/")
    shot(admin, "notifications-outbox")
    admin.context.close()

    # The customer on a phone: the portal's list and one request with its promised times.
    phone = session("customer1", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.goto(f"{base}/portal/")
    shot(phone, "phone-portal-list")
    phone.goto(base + examples["portal_ticket_url"])
    shot(phone, "phone-portal-request", full_page=True)
    phone.context.close()


def bump_version(version: str) -> str:
    """5.6.1 -> 5.6.2: a plausible next patch release of the unit's software."""
    head, _, last = version.rpartition(".")
    return f"{head}.{int(last) + 1:0{len(last)}d}" if last.isdigit() else f"{version}.1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    parser.add_argument("--customers", type=int, default=12, help="demo customers to seed (default 12)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--only", choices=["service-requests"], default="",
                        help="take only the service-request pictures (agent console to portal)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    if not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip():  # noqa: S607
        # Without one the demo's Chinese names come out as empty boxes.
        sys.exit("no Chinese font: apt-get install fonts-noto-cjk (or the smaller fonts-wqy-microhei), "
                 "and fonts-noto-color-emoji for the few symbols")

    workdir = Path(tempfile.mkdtemp(prefix="aftersales-screenshots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "AFTERSALES_VAR_DIR": str(workdir),
        "DEBUG": "1",  # the demo users have published passwords: never against a real database
        "LOG_LEVEL": "ERROR",
        "SERVICE_HOTLINE": os.environ.get("SERVICE_HOTLINE", "400-820-8820"),  # printed on the QR label
    }
    server = None
    try:
        print(f"seeding demo data into {workdir}")
        run(env, "migrate", "--no-input")
        run(env, "createcachetable")  # rate-limit counters of the login page live there
        run(env, "seed_demo", "--customers", str(args.customers))
        examples = pick_examples(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(AFTERSALES), "runserver", f"127.0.0.1:{port}", "--noreload"],  # noqa: S603
                                  env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(base, server)
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"taking pictures from {base} into {args.out} ({datetime.date.today()})")
        take_pictures(base, args.out, examples, workdir, only=args.only)
        stale = sorted(p.name for p in args.out.glob("*.png") if p.stem not in PICTURES)
        if stale:
            print("not taken by this script (delete them if the guide no longer uses them): " + ", ".join(stale))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
