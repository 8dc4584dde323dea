"""Import installed equipment from CSV/Excel (the engine is aftersales.core.importing)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from aftersales.assets.models import Equipment, Product
from aftersales.core.importing import (
    Column,
    Importer,
    RowInvalid,
    parse_date,
    parse_json_object,
    text,
)
from aftersales.customers.models import Contract, Customer, Site


class EquipmentImporter(Importer):
    kind = "equipment"
    model = Equipment
    permission = "assets.add_equipment"
    columns = (
        Column("product_model", ("产品型号", "型号", "model", "product"), label="产品型号"),
        Column("serial", ("序列号", "sn", "serial_number", "序列号/sn"), label="序列号"),
        Column("customer_code", ("客户编码", "customer"), label="客户编码"),
        Column("site_name", ("站点名称", "站点", "site"), label="站点名称"),
        Column("contract_number", ("合同编号", "合同号", "contract"), required=False, label="合同编号"),
        Column("accepted_on", ("验收日期", "acceptance_date", "acceptance"), required=False, label="验收日期"),
        Column("software_version", ("软件版本", "版本", "version"), required=False, label="软件版本"),
        Column("configuration", ("配置", "configuration_json"), required=False, label="配置"),
        Column("location", ("安装位置", "位置"), required=False, label="安装位置"),
    )
    field_columns = {
        "product": "product_model", "site": "site_name", "contract": "contract_number",
        "customer": "customer_code", NON_FIELD_ERRORS: "serial",
    }
    file_key_column = "serial"
    loaded_references = ("product", "site", "customer", "contract")

    def prepare(self, rows):
        def wanted(column):
            return {text(r.get(column)) for r in rows} - {""}

        codes = wanted("customer_code")
        self.products = {p.model: p for p in Product.objects.filter(model__in=wanted("product_model"))}
        self.customer_codes = set(self.visible(Customer.objects.filter(code__in=codes)).values_list("code", flat=True))
        sites = self.visible(Site.objects.filter(customer__code__in=codes, name__in=wanted("site_name"))).select_related("customer")
        self.sites = {(s.customer.code, s.name): s for s in sites}
        self.contracts = {c.number: c for c in self.visible(Contract.objects.filter(number__in=wanted("contract_number")))}

    def file_key(self, values):
        model, serial = text(values.get("product_model")), text(values.get("serial"))
        return (model, serial) if model and serial else None

    def build(self, values):
        errors: dict[str, str] = {}
        unresolved: list[str] = []
        blank = _("This field cannot be blank.")

        model = text(values.get("product_model"))
        product = self.products.get(model)
        if product is None:
            unresolved.append("product")
            errors["product_model"] = _("No product has the model “%(model)s”.") % {"model": model} if model else blank

        code, site_name = text(values.get("customer_code")), text(values.get("site_name"))
        site = self.sites.get((code, site_name))
        if site is None:
            unresolved.append("site")
            if not code:
                errors["customer_code"] = blank
            elif code not in self.customer_codes:
                errors["customer_code"] = _("No customer has the code “%(code)s”.") % {"code": code}
            elif not site_name:
                errors["site_name"] = blank
            else:
                errors["site_name"] = _("Customer %(code)s has no site named “%(name)s”.") % {"code": code, "name": site_name}

        number = text(values.get("contract_number"))
        contract = self.contracts.get(number) if number else None
        if number and contract is None:
            unresolved.append("contract")
            errors["contract_number"] = _("No contract has the number “%(number)s”.") % {"number": number}

        accepted_on = None
        try:
            accepted_on = parse_date(values.get("accepted_on"))
        except ValueError as exc:
            unresolved.append("accepted_on")
            errors["accepted_on"] = str(exc)

        configuration: dict = {}
        try:
            configuration = parse_json_object(values.get("configuration"))
        except ValueError as exc:
            unresolved.append("configuration")
            errors["configuration"] = str(exc)

        instance = Equipment(
            product=product, serial=text(values.get("serial")), site=site,
            customer=site.customer if site else None, contract=contract, accepted_on=accepted_on,
            software_version=text(values.get("software_version")), configuration=configuration,
            location=text(values.get("location")),
        )
        if errors:
            raise RowInvalid(errors, instance=instance, unresolved=unresolved)
        return instance
