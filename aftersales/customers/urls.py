from django.urls import path

from aftersales.customers import views

app_name = "customers"
urlpatterns = [
    *views.CustomerViews.urls(),
    *views.SiteViews.urls(),
    *views.ContactViews.urls(),
    *views.ContractViews.urls(),
    *views.ContractItemViews.urls(),
    *views.ContractDocumentViews.urls(),
    path("contracts/<int:pk>/documents/", views.contract_document_upload, name="contract_document_upload"),
    path("documents/<int:pk>/download/", views.contract_document_download, name="contract_document_download"),
]
