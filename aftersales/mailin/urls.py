from django.urls import path

from aftersales.mailin import views

app_name = "mailin"

urlpatterns = [
    path("", views.triage, name="triage"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("<int:pk>/", views.mail_detail, name="mail_detail"),
    path("<int:pk>/raw/", views.mail_raw, name="mail_raw"),
    path("<int:pk>/<slug:action>/", views.mail_action, name="mail_action"),
]
