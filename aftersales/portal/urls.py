from django.urls import path

from aftersales.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("requests/new/", views.ticket_add, name="ticket_add"),
    path("requests/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("requests/<int:pk>/comment/", views.ticket_comment, name="ticket_comment"),
    path("requests/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("requests/<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("report/<str:token>/", views.report_from_label, name="report_from_label"),
]
