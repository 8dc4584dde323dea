"""The assets app's API resources, through the generic CRUD case."""

from aftersales.assets.choices import ChangeKind
from aftersales.assets.models import Equipment, EquipmentChange, Product
from aftersales.core.testing import ApiCrudCase
from tests.factories import ContractFactory, EquipmentFactory, ProductFactory, SiteFactory


class TestProductApi(ApiCrudCase):
    url = "/api/v1/products"
    model = Product
    factory = ProductFactory
    customer_scoped = False  # the product catalog is shared by every customer
    update_data = {"discontinued": True, "name": "下一代防火墙（停产）"}
    bad_data = [({"category": "toaster"}, "category"), ({"model": ""}, "model"), ({"discontinued": "maybe"}, "discontinued")]
    bad_update_data = [({"category": "toaster"}, "category")]
    filters = [({"q": "Huawei"}, {"manufacturer": "Huawei"}), ({"discontinued": "true"}, {"discontinued": True}),
               ({"category": "building"}, {"category": "building"})]

    def create_data(self, samples):
        return {"model": "NGFW-9000", "name": "下一代防火墙旗舰版", "category": "network_security",
                "manufacturer": "示例科技", "discontinued": False}

    def bad_create_data(self, samples):
        return [*self.bad_data, ({"model": samples.product.model}, "model")]

    def make_protector(self, product):
        return EquipmentFactory(product=product)


class TestEquipmentApi(ApiCrudCase):
    url = "/api/v1/equipment"
    model = Equipment
    factory = EquipmentFactory
    update_data = {"software_version": "6.0.2", "location": "3 楼机房 A-04 机柜"}
    bad_update_data = [({"status": "lost"}, "status"), ({"configuration": [1, 2]}, "configuration")]

    def create_data(self, samples):
        return {"product_id": samples.product.id, "serial": "SN-2025-NEW-0001", "site_id": samples.site.id,
                "contract_id": samples.contract.id, "accepted_on": "2025-03-05", "software_version": "5.6.1",
                "configuration": {"hostname": "fw-pd-01", "ha": True}, "status": "in_service", "location": "2 楼机房"}

    def bad_create_data(self, samples):
        return [
            ({"contract_id": ContractFactory().id}, "contract_id"),  # another customer's contract
            ({"accepted_on": "2024-01-01"}, "accepted_on"),  # before the contract was signed
            ({"configuration": ["not", "an", "object"]}, "configuration"),
            ({"status": "lost"}, "status"),
            ({"serial": ""}, "serial"),
            ({"site_id": 987654321}, "site_id"),
        ]

    def filter_cases(self, samples):
        return [({"q": "SPECIAL-SN"}, {"serial": "SPECIAL-SN-1"}), ({"status": "retired"}, {"status": "retired"}),
                ({"serial": "abc-123"}, {"serial": "ABC-123"}),
                ({"site": str(samples.site.pk)}, {"site": samples.site, "contract": samples.contract})]

    def make_owned(self, customer):
        return self.make(site=SiteFactory(customer=customer))

    def test_update_keeps_the_software_history(self, writer_client):
        unit = self.make(software_version="5.6.1")

        response = writer_client.patch(self.detail_url(unit), {"software_version": "6.0.2"}, content_type="application/json")

        assert response.status_code == 200
        change = EquipmentChange.objects.get(equipment=unit)
        assert (change.kind, change.before, change.after) == (ChangeKind.SOFTWARE, "5.6.1", "6.0.2")

    def test_moving_a_unit_to_another_customers_site_moves_its_customer(self, writer_client):
        unit = self.make(contract=None)
        new_site = SiteFactory()

        response = writer_client.patch(self.detail_url(unit), {"site_id": new_site.id}, content_type="application/json")

        assert response.status_code == 200, response.content
        assert response.json()["customer_id"] == new_site.customer_id
        unit.refresh_from_db()
        assert unit.customer_id == new_site.customer_id
