from django.urls import path

from aftersales.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.notification_retry, name="notification_retry"),
    *views.NotificationViews.urls(),
    *views.WebhookEndpointViews.urls(),
]
