"""Shared pieces of the JSON API: authentication, errors, filters, and the generic CRUD
router that every archive resource is built from."""


import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Optional

import django_filters
import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth
from pydantic import BaseModel, Field, create_model

from aftersales.core import ratelimit, services
from aftersales.core.scoping import customer_lookup, get_scoped_or_404, scoped


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a per-user token stored as its SHA-256. The look-up
    runs on every API request: its SQL is compiled once per process."""

    _lookup = _counting_lookup = None

    def authenticate(self, request, token: str):
        from aftersales.accounts.models import ApiToken, hash_token

        if BearerToken._lookup is None:
            from aftersales.core.prepared import PreparedQuery

            tokens = ApiToken.objects.select_related("user").order_by()
            BearerToken._lookup = PreparedQuery(lambda key_hash: tokens.filter(key_hash=key_hash, revoked=False))
            # For a write: the same look-up, counting the write in the same statement.
            BearerToken._counting_lookup = PreparedQuery(
                lambda key_hash, window_start: tokens.filter(key_hash=key_hash, revoked=False)
                .annotate(write_count=ratelimit.write_count_in_lookup(window_start)))
        counted = ratelimit.counts_in_token_lookup(request)
        if counted:
            window_start = ratelimit.write_window_start()
            api_token = BearerToken._counting_lookup.first(hash_token(token), window_start)
        else:
            api_token = BearerToken._lookup.first(hash_token(token))
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.expires_at and api_token.expires_at <= now:
            return None
        user = api_token.user
        if not user.is_active:
            return None
        # Record use at most once a minute: a write per request would halve throughput.
        if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = user
        # A write counts against the user's budget here, before any other check (ratelimit).
        if counted:
            ratelimit.check_write_count(api_token.write_count, window_start)
        elif request.method in ratelimit.WRITE_METHODS:
            ratelimit.hit("write", ratelimit.client_ident(request))
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser's session cookie; CSRF is enforced on unsafe methods."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        if request.method in ratelimit.WRITE_METHODS:  # counted here, as for tokens
            ratelimit.hit("write", ratelimit.client_ident(request))
        return user


API_AUTH = [BearerToken(), ActiveSessionAuth()]


MAX_PAGE_SIZE = 1000
# Far beyond any archive's size, far below the databases' 64-bit OFFSET limit (which a client
# could otherwise overflow into a server error on PostgreSQL).
MAX_OFFSET = 10**12


class ArchivePagination(LimitOffsetPagination):
    """`?limit=&offset=` with both bounded: an absurd value is a 422, not a 500."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


def require_perm(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(f"You need the permission {perm!r}.")


def validation_error_detail(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field] if field != "__all__" else ["body"], "msg": str(message), "type": "value_error"}
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return [{"loc": ["body"], "msg": str(message), "type": "value_error"} for message in exc.messages]


def schema_error_detail(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's request-validation errors in the same shape as model errors: `loc` is
    ["body", field] (without ninja's parameter name, e.g. "payload"), `msg` and `type` only
    (pydantic's `ctx` may hold exception objects that are not JSON)."""
    detail = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if len(loc) >= 2 and loc[0] in {"body", "form"} and loc[1] in {"payload", "data"}:
            del loc[1]
        detail.append({"loc": loc, "msg": str(error.get("msg", "")), "type": str(error.get("type", "value_error"))})
    return detail


def install_error_handlers(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request, exc):
        return api.create_response(request, {"detail": schema_error_detail(exc.errors)}, status=422)

    @api.exception_handler(ValidationError)
    def on_validation_error(request, exc):
        return api.create_response(request, {"detail": validation_error_detail(exc)}, status=422)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request, exc):
        return api.create_response(request, {"detail": str(exc) or "Permission denied."}, status=403)

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request, exc):
        return api.create_response(request, {"detail": "The change conflicts with existing data."}, status=409)

    @api.exception_handler(ratelimit.RateLimited)
    def on_rate_limited(request, exc):
        response = api.create_response(request, {"detail": str(exc)}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return api.create_response(request, {"detail": "Not found."}, status=404)


def api_field_names(model: type[models.Model], exc: ValidationError) -> ValidationError:
    """Name foreign-key errors as the API names the field (`customer_id`, not `customer`)."""
    if not hasattr(exc, "error_dict"):
        return exc
    renamed = {}
    for name, errors in exc.error_dict.items():
        try:
            field = model._meta.get_field(name)
            name = field.attname if field.is_relation and field.many_to_one else name
        except Exception:  # noqa: BLE001, S110 - "__all__" and non-field keys stay as they are
            pass
        renamed[name] = errors
    return ValidationError(renamed)


# The largest id a 64-bit primary key can hold; a larger one cannot name a row, and SQLite
# refuses even to compare with it.
MAX_ID = 2**63 - 1


@functools.cache
def _answer_fields(schema: type[Schema]) -> tuple[tuple[str, str], ...]:
    """(answer key, attribute read) per field of `schema`."""
    return tuple((name, field.alias or name) for name, field in schema.model_fields.items())


def answer_of_written(schema: type[Schema], obj, **values) -> dict:
    """The answer `schema` gives for `obj`, which a service has just validated and written,
    as the plain values the API's renderer encodes, without building the schema: ninja's
    getter per field, or even constructing the pydantic model and dumping it again, cost a
    tenth of a ticket create's time. Fields given in `values` (nested answers, computed
    values) are taken as they are. The caller's test must compare the answer with the
    validated one: nothing here checks types."""
    return {name: values[name] if name in values else getattr(obj, attribute)
            for name, attribute in _answer_fields(schema)}


class BodySchema(BaseModel):
    """A request body's schema: a plain pydantic model. ninja's `Schema` is built to read
    Django objects too, and wraps every value it validates in a Python-level getter
    (`DjangoGetter`), which a JSON body never needs; pydantic alone validates the body
    in compiled code. Validation errors read the same (tests/tickets/test_api.py)."""


class Renderer(JSONRenderer):
    """The API's JSON renderer: orjson, which writes times itself (RFC 3339, microseconds,
    "Z" for UTC) and encodes an answer several times faster than `json` with ninja's
    encoder, which still handles what orjson does not know (decimals, durations, lazy
    translations, pydantic models)."""

    def render(self, request, data, *, response_status: int) -> bytes:
        return encode_json(data)


def encode_json(data) -> bytes:
    """`data` as the API's renderer writes it."""
    return orjson.dumps(data, default=_FALLBACK_ENCODER.default, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS)


# ninja's encoder, for the types orjson does not encode itself.
_FALLBACK_ENCODER = JSONRenderer.encoder_class()


def json_response(data, *, status: int) -> HttpResponse:
    """`data` encoded as the API's renderer encodes an answer, for a handler that built its
    answer with `answer_of_written`; the handler still declares the schema for the OpenAPI
    document."""
    return HttpResponse(encode_json(data), status=status,
                        content_type=f"{Renderer.media_type}; charset={Renderer.charset}")


def filter_schema(filterset_class) -> type[Schema]:
    """A query-parameter schema with one optional parameter per filter of the FilterSet, so the
    API documents the same filters the list pages offer. Filters on a foreign key take an id."""
    fields = {}
    for name, filter_ in filterset_class.base_filters.items():
        if isinstance(filter_, django_filters.NumberFilter) and str(filter_.field_name).endswith("_id"):
            fields[name] = (Optional[int], Field(None, ge=1, le=MAX_ID))  # noqa: UP045
        else:
            fields[name] = (Optional[str], None)  # noqa: UP045
    return create_model(f"{filterset_class.__name__}Query", __base__=Schema, **fields)


def resolve_references(model: type[models.Model], data: dict[str, Any], user) -> dict[str, Any]:
    """Replace foreign-key ids in `data` by objects the user may see; an id the user may not
    see is reported exactly like one that does not exist."""
    resolved, errors = {}, {}
    for name, value in data.items():
        field = model._meta.get_field(name)
        if field.is_relation and field.many_to_one and value is not None and not isinstance(value, models.Model):
            obj = scoped(field.related_model._default_manager.all(), user).filter(pk=value).first()
            if obj is None:
                errors[name] = [f"{field.related_model._meta.verbose_name} {value} does not exist."]
                continue
            value = obj
        resolved[name] = value
    if errors:
        raise ValidationError(errors)
    return resolved


def crud_router(
    *,
    model: type[models.Model],
    filterset,
    out_schema: type[Schema],
    create_schema: type[Schema] | None,
    update_schema: type[Schema] | None,
    queryset: Callable[[], models.QuerySet] | None = None,
    create: Callable[..., models.Model] | None = None,
    update: Callable[..., models.Model] | None = None,
    delete: Callable[..., None] | None = None,
    tag: str | None = None,
) -> Router:
    """List (paginated, filtered), detail, create, update (PATCH) and delete for one model.

    Permissions: `<app>.view|add|change|delete_<model>` from the user's role. Objects are
    looked up through `scoped()` first, so another customer's object answers 404.
    """
    meta = model._meta
    label = str(meta.verbose_name)
    router = Router(tags=[tag or str(meta.verbose_name_plural)])
    perm = {action: f"{meta.app_label}.{action}_{meta.model_name}" for action in ("view", "add", "change", "delete")}
    create = create or (lambda *, actor, data: services.object_create(actor=actor, model=model, data=data))
    update = update or (lambda *, actor, instance, data: services.object_update(actor=actor, instance=instance, data=data))
    delete = delete or (lambda *, actor, instance: services.object_delete(actor=actor, instance=instance))
    FilterQuery = filter_schema(filterset)
    scope_note = ("Customer users see only their own customer's rows." if customer_lookup(model) is not None
                  else "A shared catalog: the same rows for every caller.")

    def base_queryset(request) -> models.QuerySet:
        return scoped(queryset() if queryset else model._default_manager.all(), request.user)

    @router.get("", response=list[out_schema], by_alias=True, operation_id=f"list_{meta.model_name}", summary=f"List {meta.verbose_name_plural}",
                description=f"Permission: {perm['view']}. {scope_note}")
    @paginate(ArchivePagination)
    def list_objects(request, filters: Query[FilterQuery]):
        require_perm(request, perm["view"])
        data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
        fs = filterset(data=data, queryset=base_queryset(request), request=request)
        if not fs.is_valid():
            raise NinjaValidationError([{"loc": ["query", name], "msg": str(message), "type": "value_error"}
                                        for name, messages in fs.errors.items() for message in messages])
        return fs.qs

    @router.get("/{int:pk}", response=out_schema, by_alias=True, operation_id=f"get_{meta.model_name}", summary=f"Get one {label}",
                description=f"Permission: {perm['view']}.")
    def get_object(request, pk: int):
        require_perm(request, perm["view"])
        return get_scoped_or_404(base_queryset(request), request.user, pk=pk)

    if create_schema is not None:
        @router.post("", response={201: out_schema}, by_alias=True, operation_id=f"create_{meta.model_name}", summary=f"Create a {label}",
                     description=f"Permission: {perm['add']}.")
        def create_object(request, payload: create_schema):
            require_perm(request, perm["add"])
            try:
                data = resolve_references(model, payload.dict(), request.user)
                obj = create(actor=request.user, data=data)
            except ValidationError as exc:
                raise api_field_names(model, exc) from exc
            return Status(201, base_queryset(request).get(pk=obj.pk))

    if update_schema is not None:
        @router.patch("/{int:pk}", response=out_schema, by_alias=True, operation_id=f"update_{meta.model_name}", summary=f"Update a {label}",
                      description=f"Permission: {perm['change']}. Only the fields sent are changed.")
        def update_object(request, pk: int, payload: update_schema):
            instance = get_scoped_or_404(base_queryset(request), request.user, pk=pk)
            require_perm(request, perm["change"])
            try:
                data = resolve_references(model, payload.dict(exclude_unset=True), request.user)
                update(actor=request.user, instance=instance, data=data)
            except ValidationError as exc:
                raise api_field_names(model, exc) from exc
            return base_queryset(request).get(pk=pk)

    @router.delete("/{int:pk}", response={204: None}, by_alias=True, operation_id=f"delete_{meta.model_name}", summary=f"Delete a {label}",
                   description=f"Permission: {perm['delete']}.")
    def delete_object(request, pk: int):
        instance = get_scoped_or_404(base_queryset(request), request.user, pk=pk)
        require_perm(request, perm["delete"])
        delete(actor=request.user, instance=instance)
        return Status(204, None)

    return router


def not_allowed(message: str) -> HttpError:
    return HttpError(405, message)
