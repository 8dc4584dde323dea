"""Chinese is the default language of the pages; English is one click away."""

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.choices import Role
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def client_without_language_preference(db):
    client = Client()  # no Accept-Language: the site default applies
    client.force_login(UserFactory(role=Role.SERVICE_MANAGER))
    return client


def test_pages_are_chinese_by_default(client_without_language_preference):
    CustomerFactory(region="east")
    text = client_without_language_preference.get(reverse("customers:customer_list")).content.decode()
    assert "<h1 class=\"h3 mb-0 me-auto\">客户</h1>" in text
    assert "华东" in text  # a translated choice in a table cell
    assert "添加客户" in text
    assert "Customers" not in text


def test_switching_to_english_and_back(client_without_language_preference):
    client = client_without_language_preference
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("customers:customer_list")})
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    assert "<h1 class=\"h3 mb-0 me-auto\">Customers</h1>" in text
    assert "Add customer" in text
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "服务概览" in client.get("/").content.decode()


def test_form_errors_are_chinese_too(client_without_language_preference):
    response = client_without_language_preference.post(reverse("customers:customer_add"), {"code": "bad code!"})
    text = response.content.decode()
    assert "请使用字母、数字" in text  # our validator's message
    assert "这个字段是必填项" in text  # Django's own


def test_every_message_is_translated_and_compiled():
    po_path = settings.LOCALE_PATHS[0] / "zh_Hans" / "LC_MESSAGES" / "django.po"
    catalog = polib.pofile(str(po_path))
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert po_path.with_suffix(".mo").exists()
