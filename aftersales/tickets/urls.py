from django.urls import path

from aftersales.tickets import policy_views, views

app_name = "tickets"

urlpatterns = [
    # Agent console
    path("", views.queue, name="queue"),
    path("breaking/", views.breaking, name="breaking"),
    path("new/", views.ticket_add, name="ticket_add"),
    path("new/lookup/", views.ticket_lookup, name="ticket_lookup"),
    path("new/pick/", views.ticket_pick, name="ticket_pick"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    # POST re-grade, pause, resume, met, assign, status, comment; other ticket sub-pages go above.
    path("<int:pk>/<slug:action>/", views.ticket_action, name="ticket_action"),
    # Service groups and routing rules
    *views.ServiceGroupViews.urls(),
    *views.RoutingRuleViews.urls(),
    # A contract's SLA policy (levels x targets)
    path("contracts/<int:pk>/sla-policy/", policy_views.contract_policy, name="contract_policy"),
]
