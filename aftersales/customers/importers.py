"""Import customers and sites from CSV/Excel (the engine is aftersales.core.importing)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from aftersales.core.importing import (
    Column,
    Importer,
    RowInvalid,
    choice_lookup,
    parse_decimal,
    text,
)
from aftersales.customers.choices import Region, Tier
from aftersales.customers.models import Customer, Site

# How the regions and tiers are written in Chinese spreadsheets, besides the UI labels.
REGION_SYNONYMS = {
    Region.NORTH: ["华北", "华北区", "华北地区", "华北大区"],
    Region.NORTHEAST: ["东北", "东北区", "东北地区", "东北大区"],
    Region.EAST: ["华东", "华东区", "华东地区", "华东大区"],
    Region.JIANGSU: ["江苏", "江苏省", "江苏区"],
    Region.ZHEJIANG: ["浙江", "浙江省", "浙江区"],
    Region.CENTRAL: ["华中", "华中区", "华中地区", "华中大区"],
    Region.SOUTH: ["华南", "华南区", "华南地区", "华南大区"],
    Region.SOUTHWEST: ["西南", "西南区", "西南地区", "西南大区"],
    Region.NORTHWEST: ["西北", "西北区", "西北地区", "西北大区"],
    Region.SHANDONG: ["山东", "山东省", "山东区"],
}
TIER_SYNONYMS = {
    Tier.KEY: ["key customer", "重点", "重点客户", "关键客户", "重要客户", "vip"],
    Tier.NORMAL: ["普通", "普通客户", "一般", "一般客户"],
}


def choice_value(raw: str, lookup: dict[str, str], column: str, choices) -> str:
    value = lookup.get(raw.strip().lower())
    if value is None:
        accepted = ", ".join(f"{v} ({label})" for v, label in zip(choices.values, choices.labels, strict=True))
        raise RowInvalid({column: _("“%(value)s” is not a valid choice; use one of %(accepted)s.")
                          % {"value": raw, "accepted": accepted}})
    return value


class CustomerImporter(Importer):
    kind = "customers"
    model = Customer
    permission = "customers.add_customer"
    columns = (
        Column("code", ("编码", "客户编码", "customer_code"), label="客户编码"),
        Column("name", ("名称", "客户名称", "customer_name"), label="客户名称"),
        Column("tier", ("等级", "客户等级", "级别"), required=False, label="客户等级"),
        Column("region", ("区域", "大区", "所属区域"), label="区域"),
        Column("address", ("地址", "客户地址"), required=False, label="地址"),
    )
    field_columns = {NON_FIELD_ERRORS: "code"}
    file_key_column = "code"

    def prepare(self, rows: list[dict[str, Any]]) -> None:
        self.regions = choice_lookup(Region, REGION_SYNONYMS)
        self.tiers = choice_lookup(Tier, TIER_SYNONYMS)

    def file_key(self, values):
        code = text(values.get("code"))
        return (code.lower(),) if code else None

    def build(self, values):
        errors: dict[str, str] = {}
        unresolved: list[str] = []
        region = tier = ""
        raw_region = text(values.get("region"))
        if raw_region:
            try:
                region = choice_value(raw_region, self.regions, "region", Region)
            except RowInvalid as exc:
                errors.update(exc.errors)
                unresolved.append("region")
        raw_tier = text(values.get("tier"))
        try:
            tier = choice_value(raw_tier, self.tiers, "tier", Tier) if raw_tier else Tier.NORMAL
        except RowInvalid as exc:
            errors.update(exc.errors)
            unresolved.append("tier")
        instance = Customer(code=text(values.get("code")), name=text(values.get("name")), tier=tier or Tier.NORMAL,
                            region=region, address=text(values.get("address")))
        if errors:
            raise RowInvalid(errors, instance=instance, unresolved=unresolved)
        return instance


class SiteImporter(Importer):
    kind = "sites"
    model = Site
    permission = "customers.add_site"
    columns = (
        Column("customer_code", ("客户编码", "customer", "客户"), label="客户编码"),
        Column("name", ("名称", "站点名称", "site_name", "site"), label="站点名称"),
        Column("address", ("地址", "站点地址"), label="地址"),
        Column("city", ("城市",), required=False, label="城市"),
        Column("latitude", ("纬度", "lat"), required=False, label="纬度"),
        Column("longitude", ("经度", "lon", "lng"), required=False, label="经度"),
    )
    field_columns = {"customer": "customer_code", NON_FIELD_ERRORS: "name"}
    loaded_references = ("customer",)
    file_key_column = "name"

    def prepare(self, rows):
        codes = {text(r.get("customer_code")) for r in rows} - {""}
        self.customers = {c.code: c for c in self.visible(Customer.objects.filter(code__in=codes))}

    def file_key(self, values):
        code, name = text(values.get("customer_code")), text(values.get("name"))
        return (code, name) if code and name else None

    def build(self, values):
        errors: dict[str, str] = {}
        unresolved: list[str] = []
        code = text(values.get("customer_code"))
        customer = self.customers.get(code)
        if customer is None:
            unresolved.append("customer")
            errors["customer_code"] = (_("No customer has the code “%(code)s”.") % {"code": code} if code
                                       else _("This field cannot be blank."))
        coordinates = {}
        for column in ("latitude", "longitude"):
            try:
                coordinates[column] = parse_decimal(values.get(column), places=6)
            except ValueError as exc:
                errors[column] = str(exc)
                unresolved.append(column)
                coordinates[column] = None
        instance = Site(customer=customer, name=text(values.get("name")), address=text(values.get("address")),
                        city=text(values.get("city")), **coordinates)
        if errors:
            raise RowInvalid(errors, instance=instance, unresolved=unresolved)
        return instance
