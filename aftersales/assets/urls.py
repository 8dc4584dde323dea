from django.urls import path

from aftersales.assets import views

app_name = "assets"
urlpatterns = [
    *views.ProductViews.urls(),
    *views.ComponentViews.urls(),
    *views.EquipmentViews.urls(),
    *views.WarrantyTermViews.urls(),
    path("warranty-cards/overdue/", views.warranty_card_overdue, name="warranty_card_overdue"),
    path("equipment/<int:pk>/warranty-card/", views.warranty_card_issue, name="warranty_card_issue"),
    path("equipment/<int:pk>/label/", views.equipment_label, name="equipment_label"),
]
