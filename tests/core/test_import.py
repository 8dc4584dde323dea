"""All-or-nothing import of customers, sites and equipment: service, CLI and page."""

import datetime
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import translation
from openpyxl import Workbook

from aftersales.accounts.choices import Role
from aftersales.assets.importers import EquipmentImporter
from aftersales.assets.models import Equipment
from aftersales.core import importing
from aftersales.core.importing import RowError, run_import
from aftersales.core.models import AuditLog
from aftersales.customers.importers import CustomerImporter, SiteImporter
from aftersales.customers.models import Customer, Site
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    EquipmentFactory,
    ProductFactory,
    SiteFactory,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
REPO = Path(__file__).resolve().parents[2]

CUSTOMER_HEADER = "code,name,tier,region\n"
SITE_HEADER = "customer_code,name,address,city,latitude,longitude\n"
EQUIPMENT_HEADER = "product_model,serial,customer_code,site_name,contract_number,accepted_on,software_version,configuration\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager_user(make_user):
    return make_user(Role.SERVICE_MANAGER, username="importer")


@pytest.fixture
def equipment_references(db):
    """What equipment.csv refers to: product NF-5600, customer SHPJ001, two sites, a contract."""
    customer = CustomerFactory(code="SHPJ001", name="上海浦江数据科技有限公司")
    SiteFactory(customer=customer, name="张江数据中心")
    SiteFactory(customer=customer, name="外高桥灾备中心")
    ContractFactory(customer=customer, number="HT-2024-0011", signed_on=datetime.date(2024, 1, 5))
    ProductFactory(model="NF-5600")
    return customer


def import_text(actor, importer_class, body: str, name: str = "upload.csv", **kwargs):
    return run_import(actor=actor, importer_class=importer_class, name=name, data=body.encode("utf-8"), **kwargs)


def assert_one_error(report, row: int, field: str, message_part: str):
    assert report.created == 0
    matching = [e for e in report.errors if e.row == row and e.field == field]
    assert matching, f"no error on row {row}, field {field}: {report.errors}"
    assert any(message_part.lower() in e.message.lower() for e in matching), matching


# --- good files -------------------------------------------------------------------------------


def test_customer_csv_with_chinese_headers_and_labels_creates_every_row(manager_user):
    report = run_import(actor=manager_user, importer_class=CustomerImporter, name="customers.csv",
                        data=(FIXTURES / "customers.csv").read_bytes())

    assert report.errors == []
    assert report.created == 3
    pujiang = Customer.objects.get(code="SHPJ001")
    assert (pujiang.name, pujiang.tier, pujiang.region) == ("上海浦江数据科技有限公司", "key", "east")
    assert Customer.objects.get(code="HZXY002").region == "zhejiang"
    assert Customer.objects.get(code="BJZK003").tier == "key"
    # one audit record per imported customer, naming the person who imported it
    records = AuditLog.objects.filter(object_type="customers.customer", action="create")
    assert records.count() == 3
    assert set(records.values_list("actor_name", flat=True)) == {"importer"}


def test_site_csv_creates_sites_under_their_customers(manager_user):
    CustomerFactory(code="SHPJ001")
    CustomerFactory(code="HZXY002")

    report = run_import(actor=manager_user, importer_class=SiteImporter, name="sites.csv",
                        data=(FIXTURES / "sites.csv").read_bytes())

    assert report.errors == []
    assert report.created == 3
    site = Site.objects.get(customer__code="SHPJ001", name="张江数据中心")
    assert site.latitude == Decimal("31.204200")
    assert site.city == "上海"


def test_equipment_csv_creates_units_with_customer_contract_and_configuration(manager_user, equipment_references):
    report = run_import(actor=manager_user, importer_class=EquipmentImporter, name="equipment.csv",
                        data=(FIXTURES / "equipment.csv").read_bytes())

    assert report.errors == []
    assert report.created == 3
    unit = Equipment.objects.get(serial="NF2401200001")
    assert unit.customer == equipment_references
    assert unit.contract.number == "HT-2024-0011"
    assert unit.accepted_on == datetime.date(2024, 3, 15)
    assert unit.configuration == {"hostname": "zj-fw-01", "management_ip": "10.1.1.1"}
    assert Equipment.objects.get(serial="NF2401200003").contract is None


def test_xlsx_with_date_cells_and_numeric_codes_works(manager_user, equipment_references):
    CustomerFactory(code="1001")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["产品型号", "序列号", "客户编码", "站点名称", "验收日期", "软件版本"])
    sheet.append(["NF-5600", "XL-0001", "SHPJ001", "张江数据中心", datetime.datetime(2025, 6, 30), "V6.0.2"])
    sheet.append(["NF-5600", 20250002, "SHPJ001", "外高桥灾备中心", "2025-07-01", None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = run_import(actor=manager_user, importer_class=EquipmentImporter, name="units.xlsx", data=buffer.getvalue())

    assert report.errors == []
    assert report.created == 2
    assert Equipment.objects.get(serial="XL-0001").accepted_on == datetime.date(2025, 6, 30)
    assert Equipment.objects.get(serial="20250002").accepted_on == datetime.date(2025, 7, 1)


def test_gb18030_csv_from_chinese_excel_works(manager_user):
    body = "编码,名称,等级,区域\nGB001,广州珠江物流有限公司,普通客户,华南\n"
    report = run_import(actor=manager_user, importer_class=CustomerImporter, name="客户.csv", data=body.encode("gb18030"))

    assert report.errors == []
    assert Customer.objects.get(code="GB001").name == "广州珠江物流有限公司"
    assert Customer.objects.get(code="GB001").region == "south"


def test_blank_lines_are_skipped_but_row_numbers_stay_as_the_sheet_shows(manager_user):
    body = CUSTOMER_HEADER + "A1,甲公司,normal,east\n,,,\nA2,乙公司,normal,mars\n"
    report = import_text(manager_user, CustomerImporter, body)
    assert_one_error(report, row=4, field="region", message_part="mars")


# --- one bad row: nothing is written -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "row", "field", "message"),
    [
        (CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,乙公司,normal,atlantis\nC3,丙公司,key,north\n",
         3, "region", "not a valid choice"),
        (CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,,normal,east\nC3,丙公司,key,north\n",
         3, "name", "cannot be blank"),
        (CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,乙公司,platinum,east\n",
         3, "tier", "not a valid choice"),
        (CUSTOMER_HEADER + "C1,甲公司,normal,east\nbad code!,乙公司,normal,east\n",
         3, "code", "letters, digits"),
    ],
    ids=["bad region", "missing name", "bad tier", "bad code"],
)
def test_customer_file_with_one_bad_row_imports_nothing(manager_user, body, row, field, message):
    report = import_text(manager_user, CustomerImporter, body)

    assert_one_error(report, row, field, message)
    assert len(report.errors) == 1
    assert Customer.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_existing_customer_code_is_reported_on_its_row(manager_user):
    CustomerFactory(code="C2")
    report = import_text(manager_user, CustomerImporter, CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,乙公司,normal,east\n")
    assert_one_error(report, 3, "code", "already exists")
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("row_text", "field", "message"),
    [
        ("SHPJ001,北站,上海市静安区天目西路1号,上海,200,121.45", "latitude", "less than or equal to 90"),
        ("SHPJ001,北站,上海市静安区天目西路1号,上海,north,121.45", "latitude", "not a number"),
        ("NOPE999,北站,上海市静安区天目西路1号,上海,31.25,121.45", "customer_code", "NOPE999"),
        ("SHPJ001,北站,,上海,31.25,121.45", "address", "cannot be blank"),
        ("SHPJ001,张江数据中心,上海市浦东新区,上海,31.2,121.5", "name", "already has a site with this name"),
    ],
    ids=["latitude 200", "latitude text", "unknown customer", "missing address", "existing site name"],
)
def test_site_file_with_one_bad_row_imports_nothing(manager_user, row_text, field, message):
    customer = CustomerFactory(code="SHPJ001")
    SiteFactory(customer=customer, name="张江数据中心")
    body = SITE_HEADER + "SHPJ001,南站,上海市闵行区沪闵路9001号,上海,31.15,121.42\n" + row_text + "\n"

    report = import_text(manager_user, SiteImporter, body)

    assert_one_error(report, 3, field, message)
    assert Site.objects.count() == 1


def test_duplicate_serial_within_the_file_marks_both_rows(manager_user, equipment_references):
    body = EQUIPMENT_HEADER + (
        "NF-5600,SN-1,SHPJ001,张江数据中心,,2025-01-02,,\n"
        "NF-5600,SN-2,SHPJ001,张江数据中心,,2025-01-02,,\n"
        "NF-5600,SN-1,SHPJ001,外高桥灾备中心,,2025-01-02,,\n"
    )
    report = import_text(manager_user, EquipmentImporter, body)

    assert [(e.row, e.field) for e in report.errors] == [(2, "serial"), (4, "serial")]
    assert "row 4" in report.errors[0].message and "row 2" in report.errors[1].message
    assert Equipment.objects.count() == 0


def test_serial_already_in_the_database_is_reported(manager_user, equipment_references):
    EquipmentFactory(product=ProductFactory._meta.model.objects.get(model="NF-5600"), serial="SN-OLD",
                     site=equipment_references.sites.first())
    body = EQUIPMENT_HEADER + "NF-5600,SN-NEW,SHPJ001,张江数据中心,,,,\nNF-5600,SN-OLD,SHPJ001,张江数据中心,,,,\n"

    report = import_text(manager_user, EquipmentImporter, body)

    assert_one_error(report, 3, "serial", "already exists")
    assert Equipment.objects.count() == 1


@pytest.mark.parametrize(
    ("row_text", "field", "message"),
    [
        ("NF-5600,SN-9,SHPJ001,张江数据中心,,2025-13-45,,", "accepted_on", "not a date"),
        ("NF-5600,SN-9,SHPJ001,张江数据中心,,next week,,", "accepted_on", "YYYY-MM-DD"),
        ("NF-5600,SN-9,SHPJ001,张江数据中心,HT-2024-0011,2023-12-01,,", "accepted_on", "before the contract"),
        ("NF-9999,SN-9,SHPJ001,张江数据中心,,,,", "product_model", "NF-9999"),
        ("NF-5600,SN-9,SHPJ001,不存在的站点,,,,", "site_name", "no site named"),
        ("NF-5600,SN-9,NOPE,张江数据中心,,,,", "customer_code", "NOPE"),
        ("NF-5600,SN-9,SHPJ001,张江数据中心,HT-0000-0000,,,", "contract_number", "HT-0000-0000"),
        ('NF-5600,SN-9,SHPJ001,张江数据中心,,,,"{hostname: fw}"', "configuration", "not valid json"),
        ('NF-5600,SN-9,SHPJ001,张江数据中心,,,,"[1, 2]"', "configuration", "json object"),
        ("NF-5600,,SHPJ001,张江数据中心,,,,", "serial", "cannot be blank"),
    ],
    ids=["impossible date", "not a date", "before signing", "unknown product", "unknown site", "unknown customer",
         "unknown contract", "bad json", "json not an object", "missing serial"],
)
def test_equipment_file_with_one_bad_row_imports_nothing(manager_user, equipment_references, row_text, field, message):
    body = EQUIPMENT_HEADER + "NF-5600,SN-1,SHPJ001,张江数据中心,HT-2024-0011,2024-03-15,V5.6.3,\n" + row_text + "\n"

    report = import_text(manager_user, EquipmentImporter, body)

    assert_one_error(report, 3, field, message)
    assert Equipment.objects.count() == 0


def test_contract_of_another_customer_is_refused(manager_user, equipment_references):
    ContractFactory(number="HT-OTHER-1", signed_on=datetime.date(2024, 1, 1))
    body = EQUIPMENT_HEADER + "NF-5600,SN-1,SHPJ001,张江数据中心,HT-OTHER-1,2024-03-15,,\n"
    report = import_text(manager_user, EquipmentImporter, body)
    assert_one_error(report, 2, "contract_number", "another customer")


def test_every_bad_row_is_listed_not_just_the_first(manager_user):
    body = CUSTOMER_HEADER + "C1,,normal,east\nC2,乙公司,normal,nowhere\nC3,丙公司,normal,east\n"
    report = import_text(manager_user, CustomerImporter, body)
    assert [(e.row, e.field) for e in report.errors] == [(2, "name"), (3, "region")]
    assert str(report.errors[0]).startswith("row 2, field name: ")


# --- the file as a whole ---------------------------------------------------------------------


def test_other_file_types_are_refused(manager_user):
    report = import_text(manager_user, CustomerImporter, CUSTOMER_HEADER + "C1,甲,normal,east\n", name="customers.txt")
    assert report.errors == [RowError(0, "file", "File type .txt is not supported; use .csv or .xlsx.")]
    assert Customer.objects.count() == 0


def test_a_csv_renamed_to_xlsx_is_refused(manager_user):
    report = import_text(manager_user, CustomerImporter, CUSTOMER_HEADER, name="customers.xlsx")
    assert report.errors[0].field == "file" and "xlsx" in report.errors[0].message


def test_oversize_files_are_refused(manager_user, settings):
    settings.IMPORT_MAX_BYTES = 40
    body = CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,乙公司,normal,east\n"
    report = import_text(manager_user, CustomerImporter, body)
    assert report.errors[0].field == "file"
    assert "limit is 40 bytes" in report.errors[0].message
    assert Customer.objects.count() == 0


def test_missing_and_unknown_columns_are_reported_on_the_header_row(manager_user):
    report = import_text(manager_user, CustomerImporter, "code,nmae,region\nC1,甲公司,east\n")
    assert {(e.row, e.field) for e in report.errors} == {(1, "nmae"), (1, "name")}
    assert Customer.objects.count() == 0


def test_a_database_refusal_while_writing_leaves_nothing_behind(manager_user, monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: customers_customer.code")

    # The customers are inserted first; the audit insert then fails, as a race would.
    monkeypatch.setattr(AuditLog.objects, "bulk_create", refuse)
    report = import_text(manager_user, CustomerImporter, CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,乙公司,key,north\n")

    assert report.created == 0
    assert report.errors[0].field == "file"
    assert "nothing was imported" in report.errors[0].message
    assert Customer.objects.count() == 0


def test_a_row_taken_by_someone_else_after_validation_rolls_back_the_whole_file(manager_user, monkeypatch):
    validate = importing.validate_rows

    def validate_then_lose_the_race(importer, rows):
        result = validate(importer, rows)
        CustomerFactory(code="C2")  # another user creates C2 between our check and our insert
        return result

    monkeypatch.setattr(importing, "validate_rows", validate_then_lose_the_race)
    report = import_text(manager_user, CustomerImporter, CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,乙公司,key,north\n")

    assert report.created == 0
    assert "nothing was imported" in report.errors[0].message
    assert list(Customer.objects.values_list("code", flat=True)) == ["C2"]
    assert not AuditLog.objects.filter(object_type="customers.customer").exists()


def test_dry_run_checks_but_writes_nothing(manager_user):
    report = import_text(manager_user, CustomerImporter, CUSTOMER_HEADER + "C1,甲公司,normal,east\n", dry_run=True)
    assert report.ok and report.rows == 1 and report.created == 0
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SERVICE_DESK, Role.FIELD_ENGINEER, Role.CUSTOMER])
def test_users_without_the_add_permission_cannot_import_customers(make_user, role):
    with pytest.raises(PermissionDenied):
        import_text(make_user(role), CustomerImporter, CUSTOMER_HEADER + "C1,甲公司,normal,east\n")
    assert not Customer.objects.filter(code="C1").exists()


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_imports_and_says_how_many(db):
    out = io.StringIO()
    call_command("import_data", "customers", str(FIXTURES / "customers.csv"), stdout=out)
    assert out.getvalue().strip() == "imported 3 customers"
    assert Customer.objects.count() == 3
    assert AuditLog.objects.filter(actor_name="system").count() == 3


def test_cli_lists_each_error_on_stderr_and_fails(db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,,normal,moon\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing imported: 2 error"):
        call_command("import_data", "customers", str(path), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0] == "row 3, field name: This field cannot be blank."
    assert lines[1].startswith("row 3, field region: “moon” is not a valid choice")
    assert Customer.objects.count() == 0


def test_cli_dry_run_writes_nothing(db):
    out = io.StringIO()
    call_command("import_data", "customers", str(FIXTURES / "customers.csv"), "--dry-run", stdout=out)
    assert "3 customers would be imported" in out.getvalue()
    assert Customer.objects.count() == 0


def test_cli_as_a_user_records_them_and_checks_their_permission(make_user):
    make_user(Role.SERVICE_MANAGER, username="lihua")
    make_user(Role.SERVICE_DESK, username="desk")
    call_command("import_data", "customers", str(FIXTURES / "customers.csv"), "--as", "lihua", stdout=io.StringIO())
    assert set(AuditLog.objects.values_list("actor_name", flat=True)) == {"lihua"}

    with pytest.raises(CommandError, match="may not import"):
        call_command("import_data", "sites", str(FIXTURES / "sites.csv"), "--as", "desk")
    with pytest.raises(CommandError, match="no active user"):
        call_command("import_data", "sites", str(FIXTURES / "sites.csv"), "--as", "nobody")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["customers", "/nonexistent/customers.csv"], "no such file"), (["invoices", "x.csv"], "unknown kind")],
)
def test_cli_refuses_missing_files_and_unknown_kinds(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_data", *args)


def test_cli_exits_non_zero_without_a_traceback():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "AFTERSALES_TESTING": "1"}
    result = subprocess.run([sys.executable, "-m", "aftersales", "import_data", "customers", "/nonexistent/x.csv"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "no such file: /nonexistent/x.csv" in result.stderr
    assert "Traceback" not in result.stderr


# --- the page ----------------------------------------------------------------------------------


def upload(name: str, body: str | bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body.encode("utf-8") if isinstance(body, str) else body)


def test_page_shows_the_form_and_template_links(browser_client_for, manager_user):
    response = browser_client_for(manager_user).get("/core/import/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="file"' in page and 'name="kind"' in page
    assert "?kind=equipment&amp;template=1" in page


def test_template_download_has_the_columns(browser_client_for, manager_user):
    client = browser_client_for(manager_user)
    english = client.get("/core/import/?kind=sites&template=1", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/core/import/?kind=sites&template=1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english["Content-Type"].startswith("text/csv")
    assert english.content.decode("utf-8-sig").strip() == "customer_code,name,address,city,latitude,longitude"
    assert chinese.content.decode("utf-8-sig").startswith("客户编码,站点名称,地址")


def test_page_imports_a_good_file(browser_client_for, manager_user):
    client = browser_client_for(manager_user, enforce_csrf_checks=False)
    response = client.post("/core/import/", {"kind": "customers", "file": upload("c.csv", (FIXTURES / "customers.csv").read_bytes())},
                           HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    assert "Imported 3 customers" in response.content.decode()
    assert Customer.objects.count() == 3


def test_page_shows_the_error_table_and_writes_nothing(browser_client_for, manager_user):
    body = CUSTOMER_HEADER + "C1,甲公司,normal,east\nC2,乙公司,normal,atlantis\n"
    response = browser_client_for(manager_user).post("/core/import/", {"kind": "customers", "file": upload("c.csv", body)},
                                                     HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: 1 error." in page
    assert "<td>3</td><td><code>region</code></td><td>“atlantis” is not a valid choice" in page
    assert Customer.objects.count() == 0


def test_page_refuses_a_post_without_csrf_token(browser_client_for, manager_user):
    client = browser_client_for(manager_user, enforce_csrf_checks=True)
    response = client.post("/core/import/", {"kind": "customers", "file": upload("c.csv", CUSTOMER_HEADER + "C1,甲,normal,east\n")})
    assert response.status_code == 403
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_customer_user_gets_403_on_the_import_page(browser_client_for, make_user, method):
    client = browser_client_for(make_user(Role.CUSTOMER))
    data = {"kind": "customers", "file": upload("c.csv", CUSTOMER_HEADER + "C1,甲,normal,east\n")} if method == "post" else {}
    response = getattr(client, method)("/core/import/", data)
    assert response.status_code == 403
    assert not Customer.objects.filter(code="C1").exists()


def test_field_engineer_may_import_equipment_but_not_customers(browser_client_for, make_user):
    client = browser_client_for(make_user(Role.FIELD_ENGINEER))
    page = client.get("/core/import/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="equipment"' in page and 'value="customers"' not in page
    response = client.post("/core/import/", {"kind": "customers", "file": upload("c.csv", CUSTOMER_HEADER + "C1,甲,normal,east\n")})
    assert response.status_code == 403
    assert not Customer.objects.filter(code="C1").exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/core/import/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_importer_registry_offers_the_three_kinds():
    assert list(importing.importers()) == ["customers", "sites", "equipment"]


@pytest.mark.parametrize("rows", [5, 40])
def test_references_are_loaded_once_not_once_per_row(manager_user, equipment_references, django_assert_max_num_queries, rows):
    body = EQUIPMENT_HEADER + "".join(
        f"NF-5600,SN-{n},SHPJ001,张江数据中心,HT-2024-0011,2024-03-15,,\n" for n in range(rows))
    # per row only the serial's uniqueness check; the rest is a fixed handful (lookups, inserts, audit)
    with django_assert_max_num_queries(rows + 12):
        report = import_text(manager_user, EquipmentImporter, body)
    assert report.created == rows
