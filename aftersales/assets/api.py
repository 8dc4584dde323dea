from ninja import ModelSchema

from aftersales.assets import services
from aftersales.assets.filters import EquipmentFilterSet, ProductFilterSet
from aftersales.assets.models import Equipment, Product
from aftersales.core.api import crud_router


class ProductOut(ModelSchema):
    id: int

    class Meta:
        model = Product
        fields = ["id", "model", "name", "category", "manufacturer", "discontinued", "created_at", "updated_at"]


class ProductIn(ModelSchema):
    class Meta:
        model = Product
        fields = ["model", "name", "category", "manufacturer", "discontinued"]


class ProductPatch(ModelSchema):
    class Meta:
        model = Product
        fields = ["model", "name", "category", "manufacturer", "discontinued"]
        fields_optional = "__all__"


EQUIPMENT_FIELDS = ["product", "serial", "site", "contract", "accepted_on", "software_version",
                    "configuration", "status", "location"]


class EquipmentOut(ModelSchema):
    id: int

    class Meta:
        model = Equipment
        fields = ["id", "customer", *EQUIPMENT_FIELDS, "created_at", "updated_at"]


class EquipmentIn(ModelSchema):
    class Meta:
        model = Equipment
        fields = EQUIPMENT_FIELDS


class EquipmentPatch(ModelSchema):
    class Meta:
        model = Equipment
        fields = EQUIPMENT_FIELDS
        fields_optional = "__all__"


products_router = crud_router(model=Product, filterset=ProductFilterSet, out_schema=ProductOut,
                              create_schema=ProductIn, update_schema=ProductPatch, tag="products")
equipment_router = crud_router(
    model=Equipment, filterset=EquipmentFilterSet, out_schema=EquipmentOut,
    create_schema=EquipmentIn, update_schema=EquipmentPatch, tag="equipment",
    update=services.equipment_update,
)
