"""Sales owners are told by e-mail, once, 90 and again 30 days before a warranty ends."""

import datetime
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.assets.models import WarrantyNotice
from aftersales.assets.tasks import warranty_notices
from aftersales.core.models import ScheduledJob
from aftersales.domain.warranty import add_months, warranty_end
from tests.assets.warranty_data import firewall_with_warranty
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at_shanghai(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """Run the job at a moment and let its after-commit mails go out."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return warranty_notices(now)

    return run


# The whole-system warranty of a unit accepted 2024-03-15 covers through 2026-03-14.
NINETY_DAYS_BEFORE = D(2025, 12, 14)
THIRTY_DAYS_BEFORE = D(2026, 2, 12)


def test_sales_owner_gets_one_mail_90_days_and_one_30_days_before_the_end(smtp_server, run_job):
    setup = firewall_with_warranty(serial="FW-0001")

    assert run_job(at_shanghai(NINETY_DAYS_BEFORE - timedelta(days=1))) == "0 notices"
    assert smtp_server.messages == []

    assert run_job(at_shanghai(NINETY_DAYS_BEFORE)) == "1 notices for 1 sales owners"
    assert run_job(at_shanghai(NINETY_DAYS_BEFORE, hour=18)) == "0 notices"  # the same day again
    assert run_job(at_shanghai(NINETY_DAYS_BEFORE + timedelta(days=20))) == "0 notices"
    assert run_job(at_shanghai(THIRTY_DAYS_BEFORE)) == "1 notices for 1 sales owners"
    assert run_job(at_shanghai(D(2026, 3, 14))) == "0 notices"  # the last day: already told
    assert run_job(at_shanghai(D(2026, 3, 15))) == "0 notices"  # ended

    assert len(smtp_server.messages) == 2
    for mail in smtp_server.messages:
        assert mail.recipients == ["sales.zhang@example.com"]
        assert mail.message["to"] == "sales.zhang@example.com"
        assert "Warranties ending soon" in mail.subject and "质保" in mail.subject
        assert "FW-0001" in mail.body
        assert "2026-03-14" in mail.body
    assert "(90 days notice)" in smtp_server.messages[0].body
    assert "(30 days notice)" in smtp_server.messages[1].body

    notices = WarrantyNotice.objects.order_by("created_at")
    assert [(n.days_before, n.ends_on, n.term, n.recipient) for n in notices] == [
        (90, D(2026, 3, 14), setup.whole_system, setup.contract.sales_owner),
        (30, D(2026, 3, 14), setup.whole_system, setup.contract.sales_owner),
    ]
    assert all(n.sent_at is not None for n in notices)


def test_the_day_is_the_day_in_shanghai(smtp_server, run_job):
    firewall_with_warranty()
    # 17:00 UTC on 13 December is already 01:00 on 14 December in Shanghai.
    late_evening_utc = datetime.datetime(2025, 12, 13, 17, 0, tzinfo=datetime.UTC)
    assert run_job(late_evening_utc) == "1 notices for 1 sales owners"


def test_component_warranty_gets_its_own_notice(smtp_server, run_job):
    setup = firewall_with_warranty(serial="FW-CORE")
    assert run_job(at_shanghai(D(2030, 1, 1))) == "1 notices for 1 sales owners"
    notice = WarrantyNotice.objects.get()
    assert (notice.term, notice.ends_on, notice.days_before) == (setup.core_term, D(2030, 3, 14), 90)
    assert "核心主机" in smtp_server.messages[0].body


def test_first_seen_within_30_days_gets_only_the_30_day_notice(smtp_server, run_job):
    firewall_with_warranty()
    run_job(at_shanghai(D(2026, 3, 1)))
    assert list(WarrantyNotice.objects.values_list("days_before", flat=True)) == [30]
    assert len(smtp_server.messages) == 1


def test_one_mail_per_sales_owner_lists_all_their_units(smtp_server, run_job):
    owner_a = UserFactory(role=Role.SALES, email="a@example.com")
    owner_b = UserFactory(role=Role.SALES, email="b@example.com")
    first = firewall_with_warranty(sales_owner=owner_a, serial="A-1")
    firewall_with_warranty(sales_owner=owner_a, serial="A-2", customer=first.unit.customer,
                           product=first.unit.product, contract=first.contract)
    firewall_with_warranty(sales_owner=owner_b, serial="B-1")

    assert run_job(at_shanghai(NINETY_DAYS_BEFORE)) == "3 notices for 2 sales owners"
    by_recipient = {tuple(m.recipients): m for m in smtp_server.messages}
    assert set(by_recipient) == {("a@example.com",), ("b@example.com",)}
    mail_a = by_recipient[("a@example.com",)]
    assert "A-1" in mail_a.body and "A-2" in mail_a.body and "B-1" not in mail_a.body
    assert "2 unit" in mail_a.subject
    assert "B-1" in by_recipient[("b@example.com",)].body


def test_unit_without_sales_owner_is_reported_and_not_mailed(smtp_server, run_job):
    firewall_with_warranty(sales_owner=None, serial="ORPHAN-1")
    summary = run_job(at_shanghai(NINETY_DAYS_BEFORE))
    assert summary == "1 notices for 0 sales owners; 1 without a sales owner e-mail (ORPHAN-1)"
    notice = WarrantyNotice.objects.get()
    assert (notice.recipient, notice.recipient_email, notice.sent_at) == (None, "", None)
    assert smtp_server.messages == []
    assert run_job(at_shanghai(NINETY_DAYS_BEFORE + timedelta(days=1))) == "0 notices"


def test_notice_left_unsent_by_a_crash_is_not_sent_twice(smtp_server, run_job):
    setup = firewall_with_warranty()
    # A run inserted the notice and died before mailing; the unique key stops a repeat.
    WarrantyNotice.objects.create(equipment=setup.unit, term=setup.whole_system, days_before=90,
                                  ends_on=D(2026, 3, 14), recipient_email="sales.zhang@example.com")
    assert run_job(at_shanghai(NINETY_DAYS_BEFORE)) == "0 notices"
    assert smtp_server.messages == []
    assert WarrantyNotice.objects.count() == 1


def test_queries_do_not_grow_with_units(smtp_server, run_job, django_assert_max_num_queries):
    first = firewall_with_warranty()
    for n in range(8):
        firewall_with_warranty(customer=first.unit.customer, product=first.unit.product,
                               contract=first.contract, serial=f"BULK-{n}")
    # terms, units, insert, notices, and per owner: one sent_at update (+ savepoints).
    with django_assert_max_num_queries(8):
        summary = run_job(at_shanghai(NINETY_DAYS_BEFORE))
    assert summary == "9 notices for 1 sales owners"
    assert len(smtp_server.messages) == 1
    assert WarrantyNotice.objects.filter(sent_at__isnull=False).count() == 9


def test_worker_once_runs_the_job_end_to_end(smtp_server, django_capture_on_commit_callbacks):
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    accepted = add_months(today + timedelta(days=61), -24)
    ends_on = warranty_end(accepted, 24)
    assert 30 < (ends_on - today).days <= 90
    firewall_with_warranty(accepted_on=accepted, serial="E2E-42")

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("worker", "--once", "--worker-id", "e2e", stdout=out)

    assert "ran warranty_notices: 1 notices for 1 sales owners" in out.getvalue()
    job = ScheduledJob.objects.get(name="warranty_notices")
    assert (job.last_worker, job.interval_seconds) == ("e2e", 86400)
    assert len(smtp_server.messages) == 1
    assert "E2E-42" in smtp_server.messages[0].body
    assert WarrantyNotice.objects.get().sent_at is not None
