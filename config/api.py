"""The one NinjaAPI of Aftersales, mounted at /api/v1/."""

from ninja import NinjaAPI

from aftersales.core.api import API_AUTH, Renderer, install_error_handlers

api = NinjaAPI(
    title="Aftersales API",
    version="1",
    description="After-sales service platform. Authenticate with the browser session or "
    "`Authorization: Bearer <token>` (see `aftersales create_api_token`).",
    auth=API_AUTH,
    renderer=Renderer(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)


def register_routers() -> None:
    """Django tries URL patterns in order, so the busiest resource, service requests, goes
    first (its create is the intake path measured in bench/intake.py)."""
    from aftersales.assets.api import equipment_router, products_router
    from aftersales.customers.api import (
        contacts_router,
        contracts_router,
        customers_router,
        sites_router,
    )
    from aftersales.tickets.api import router as tickets_router
    from aftersales.tickets.policy_api import router as contract_policy_router

    api.add_router("/tickets", tickets_router)
    api.add_router("/customers", customers_router)
    api.add_router("/sites", sites_router)
    api.add_router("/contacts", contacts_router)
    api.add_router("/contracts", contracts_router)
    api.add_router("/products", products_router)
    api.add_router("/equipment", equipment_router)
    api.add_router("/contracts", contract_policy_router)


register_routers()
