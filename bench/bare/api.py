"""One endpoint: POST /api/v1/tickets. Three SQL statements per create: the token, the
customer, the INSERT (autocommit, so no BEGIN/COMMIT round trips beyond the INSERT's own)."""

import hashlib

from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer

from bare.models import ApiToken, Customer, Ticket


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        key_hash = hashlib.sha256(token.encode()).hexdigest()
        return ApiToken.objects.filter(key_hash=key_hash).first()


api = NinjaAPI(title="Bare intake reference", auth=BearerToken(), docs_url=None)


class TicketIn(Schema):
    customer_id: int
    subject: str
    description: str = ""


class TicketOut(Schema):
    id: int
    customer_id: int
    subject: str


@api.post("/tickets", response={201: TicketOut})
def create_ticket(request, payload: TicketIn):
    customer = get_object_or_404(Customer, pk=payload.customer_id)
    ticket = Ticket.objects.create(customer=customer, subject=payload.subject, description=payload.description)
    return Status(201, ticket)


@api.get("/healthz", auth=None)
def healthz(request):
    return {"ok": True}
