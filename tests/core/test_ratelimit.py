"""Writes through the API and the pages are rate limited per user, in a counter every
process shares (a database row, or Redis with REDIS_URL)."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import override_settings

from aftersales.accounts.choices import Role
from aftersales.core import ratelimit
from aftersales.customers.models import Customer
from tests.factories import CustomerFactory

WINDOW = 60
# 30 s into a 60 s window: the refused request must be told to come back in 30 s.
FROZEN_NOW = 1_749_999_960.0 + 30


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_clock(monkeypatch):
    # A fixed window that rolled over mid-test would let the extra request through.
    monkeypatch.setattr(ratelimit, "clock", lambda: FROZEN_NOW)


@pytest.fixture
def manager_client(make_user, api_client_for):
    return api_client_for(make_user(Role.SERVICE_MANAGER))


def create_customer(client, n: int):
    return client.post("/api/v1/customers", {"code": f"RL-{n}", "name": f"客户{n}", "region": "east"},
                       content_type="application/json")


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (3, WINDOW)})
def test_the_write_after_the_limit_gets_429_with_retry_after_and_writes_nothing(frozen_clock, manager_client):
    for n in range(3):
        assert create_customer(manager_client, n).status_code == 201

    refused = create_customer(manager_client, 3)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert "Too many" in refused.json()["detail"]
    assert not Customer.objects.filter(code="RL-3").exists()
    assert Customer.objects.count() == 3


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (2, WINDOW)})
def test_updates_and_deletes_count_against_the_same_budget(frozen_clock, manager_client):
    customer = CustomerFactory(name="原名")
    assert manager_client.patch(f"/api/v1/customers/{customer.pk}", {"name": "新名"}, content_type="application/json").status_code == 200
    assert manager_client.patch(f"/api/v1/customers/{customer.pk}", {"name": "再改"}, content_type="application/json").status_code == 200

    assert manager_client.patch(f"/api/v1/customers/{customer.pk}", {"name": "第三次"}, content_type="application/json").status_code == 429
    assert manager_client.delete(f"/api/v1/customers/{customer.pk}").status_code == 429
    customer.refresh_from_db()
    assert customer.name == "再改"


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (1, WINDOW)})
def test_each_user_has_its_own_budget_and_reads_are_not_limited(frozen_clock, make_user, api_client_for):
    first, second = api_client_for(make_user(Role.SERVICE_MANAGER)), api_client_for(make_user(Role.SERVICE_MANAGER))
    assert create_customer(first, 1).status_code == 201
    assert create_customer(first, 2).status_code == 429

    assert create_customer(second, 3).status_code == 201
    assert first.get("/api/v1/customers").status_code == 200


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (1, WINDOW)})
def test_the_budget_comes_back_in_the_next_window(monkeypatch, manager_client):
    monkeypatch.setattr(ratelimit, "clock", lambda: FROZEN_NOW)
    assert create_customer(manager_client, 1).status_code == 201
    assert create_customer(manager_client, 2).status_code == 429

    monkeypatch.setattr(ratelimit, "clock", lambda: FROZEN_NOW + WINDOW)

    assert create_customer(manager_client, 3).status_code == 201


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (2, WINDOW)})
def test_page_form_writes_are_limited_too_and_the_refused_one_writes_nothing(frozen_clock, make_user, browser_client_for):
    client = browser_client_for(make_user(Role.SERVICE_MANAGER))
    for n in range(2):
        response = client.post("/customers/customers/add/", {"code": f"PG-{n}", "name": f"客户{n}", "region": "east", "tier": "normal"})
        assert response.status_code == 302, response.content[:500]
    refused = client.post("/customers/customers/add/", {"code": "PG-9", "name": "客户9", "region": "east", "tier": "normal"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert not Customer.objects.filter(code="PG-9").exists()
    assert client.get("/customers/customers/").status_code == 200  # reading is never limited


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (5, WINDOW)})
def test_counting_a_write_is_one_statement_and_one_row_per_client(frozen_clock, django_assert_num_queries,
                                                                  monkeypatch):
    from aftersales.core.models import RateCounter

    # One hit in a thousand also tidies up stale rows (a second statement): not this time.
    monkeypatch.setattr(ratelimit, "PRUNE_ONE_IN", 10**18)

    with django_assert_num_queries(1):
        ratelimit.hit("write", "user:1")
    for _ in range(3):
        ratelimit.hit("write", "user:1")
    ratelimit.hit("write", "user:2")

    assert dict(RateCounter.objects.values_list("key", "count")) == {"write:user:1": 4, "write:user:2": 1}


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (5, WINDOW)})
def test_each_token_write_counts_once_even_when_it_is_refused(frozen_clock, make_user, api_client_for):
    """On PostgreSQL the token look-up counts the write; the handler must not count it again."""
    from aftersales.core.models import RateCounter

    reader = make_user(Role.WAREHOUSE)
    manager = make_user(Role.SERVICE_MANAGER)
    client = api_client_for(manager)
    for n in range(3):
        assert create_customer(client, n).status_code == 201
    assert client.get("/api/v1/customers").status_code == 200  # reading counts nothing
    refused = api_client_for(reader)
    assert create_customer(refused, 9).status_code == 403  # refused, but an attempt all the same
    assert dict(RateCounter.objects.values_list("key", "count")) == {
        f"write:user:{manager.pk}": 3, f"write:user:{reader.pk}": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the count rides on the token look-up on PostgreSQL")
@override_settings(RATE_LIMITS={"login": (10, 300), "write": (5, WINDOW)})
def test_on_postgresql_a_token_write_takes_no_statement_of_its_own_for_the_count(frozen_clock, manager_client):
    from django.test.utils import CaptureQueriesContext

    create_customer(manager_client, 0)
    with CaptureQueriesContext(connection) as queries:
        assert create_customer(manager_client, 1).status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if "core_ratecount" in q or "core_ratecounter" in q]) == 1
    assert any("core_ratecount" in q and "accounts_apitoken" in q for q in sql)


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (2, WINDOW)})
def test_a_new_window_starts_the_count_again_on_the_same_row(monkeypatch, db):
    from aftersales.core.models import RateCounter

    monkeypatch.setattr(ratelimit, "clock", lambda: FROZEN_NOW)
    ratelimit.hit("write", "user:7")
    ratelimit.hit("write", "user:7")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("write", "user:7")

    monkeypatch.setattr(ratelimit, "clock", lambda: FROZEN_NOW + WINDOW)
    ratelimit.hit("write", "user:7")

    assert RateCounter.objects.get(key="write:user:7").count == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers on one database need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@override_settings(RATE_LIMITS={"login": (10, 300), "write": (10**6, WINDOW)})
def test_concurrent_processes_never_lose_a_count(frozen_clock):
    from aftersales.core.models import RateCounter

    threads, hits_each, errors = 6, 40, []

    def client():
        try:
            for _ in range(hits_each):
                ratelimit.hit("write", "user:42")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert RateCounter.objects.get(key="write:user:42").count == threads * hits_each


@pytest.fixture
def redis_cache(settings):
    import redis

    location = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(location).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running at 127.0.0.1:6379: start it (see docs/operations.md)")
    settings.REDIS_URL = location
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
                                   "KEY_PREFIX": f"test-{threading.get_native_id()}"}}
    cache.clear()
    yield
    cache.clear()


@override_settings(RATE_LIMITS={"login": (10, 300), "write": (2, WINDOW)})
def test_with_redis_the_count_lives_in_redis_and_still_refuses_the_extra_write(frozen_clock, redis_cache, manager_client):
    from aftersales.core.models import RateCounter

    assert create_customer(manager_client, 1).status_code == 201
    assert create_customer(manager_client, 2).status_code == 201
    refused = create_customer(manager_client, 3)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert not Customer.objects.filter(code="RL-3").exists()
    assert not RateCounter.objects.exists()
