from django.urls import path

from aftersales.core import views, views_import

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("import/", views_import.import_view, name="import"),
]
