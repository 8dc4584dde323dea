"""Generic pages for archive models: list, detail, edit (create/update) and delete.

In the spirit of NetBox, a new archive type needs no new view code, only a declaration:

    class SiteViews(ObjectViewSet):
        model = Site
        queryset = Site.objects.select_related("customer")
        filterset_class = SiteFilterSet
        form_class = SiteForm
        columns = [Column("name", link=True), Column("customer"), Column("city", priority=2)]

    urlpatterns = [*SiteViews.urls()]

which gives `site_list`, `site_detail`, `site_add`, `site_edit` and `site_delete` pages.
Every page states its permission ("<app>.<action>_<model>") and answers 403 without it.
Objects are looked up through `scoped()` first, so another customer's object answers 404.
Writes go through the audit-logging services in `aftersales.core.services`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.forms.forms import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from aftersales.core import services
from aftersales.core.scoping import get_scoped_or_404, scoped

PAGE_SIZES = (25, 50, 100)


def model_permission(model: type[models.Model], action: str) -> str:
    """The Django permission string for `action` ("view", "add", "change", "delete")."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def model_url_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def safe_next_url(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return fallback


# --------------------------------------------------------------------------- tables


def resolve_field(model: type[models.Model], accessor: str) -> models.Field | None:
    """The model field at the end of a dotted accessor ("customer.region"), if it is one."""
    field = None
    for part in accessor.split("."):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


# Column priority -> classes of its header and cells. At 390 px (a phone) only priority-1
# columns show, so a table of 7 columns fits without scrolling sideways.
PRIORITY_CLASSES = {
    1: "",
    2: "d-none d-md-table-cell",
    3: "d-none d-lg-table-cell",
    4: "d-none d-xl-table-cell",
}


@dataclass(frozen=True)
class Column:
    """One column of a list table.

    accessor: attribute path on the row ("name", "customer.name", "product").
    label:    header; defaults to the model field's verbose name.
    order_by: ORM ordering for the sortable header; defaults to the accessor when it names a
              concrete field; `False` makes the column unsortable.
    link:     the cell links to the row's detail page.
    priority: how much the column matters on a narrow screen. 1 shows everywhere (phones
              included), 2 from tablet width (Bootstrap md, 768 px), 3 from laptop width
              (lg, 992 px), 4 only on wide screens (xl, 1200 px). A link column always
              shows, whatever its priority, so every row can still be opened on a phone.
    """

    accessor: str
    label: str | None = None
    order_by: str | bool | None = None
    link: bool = False
    priority: int = 1

    def __post_init__(self) -> None:
        if self.priority not in PRIORITY_CLASSES:
            raise ValueError(f"Column {self.accessor!r}: priority must be one of {sorted(PRIORITY_CLASSES)}")

    @property
    def css_class(self) -> str:
        """Bootstrap display classes that hide the cell below the width its priority needs."""
        return "" if self.link else PRIORITY_CLASSES[self.priority]

    def header(self, model: type[models.Model]) -> str:
        if self.label is not None:
            return str(self.label)
        field = resolve_field(model, self.accessor)
        if field is not None:
            return str(getattr(field, "verbose_name", self.accessor))
        return self.accessor.replace("_", " ")

    def ordering(self, model: type[models.Model]) -> str | None:
        if self.order_by is False:
            return None
        if isinstance(self.order_by, str):
            return self.order_by
        field = resolve_field(model, self.accessor)
        if field is None or not getattr(field, "concrete", False):
            return None
        return self.accessor.replace(".", "__")

    def value(self, obj: models.Model) -> Any:
        current: Any = obj
        parts = self.accessor.split(".")
        for index, part in enumerate(parts):
            if current is None:
                return None
            if index == len(parts) - 1 and isinstance(current, models.Model):
                display = getattr(current, f"get_{part}_display", None)
                if display is not None:
                    return display()
            current = getattr(current, part)
            if callable(current) and not isinstance(current, models.Manager):
                current = current()
        return current


# --------------------------------------------------------------------------- forms


class ScopedModelForm(forms.ModelForm):
    """A ModelForm that only offers related objects the user may see, with Bootstrap widgets.

    Pass `user=` when building it. Foreign-key choices go through `scoped()`, so a customer
    user can never pick (or even learn the name of) another customer's site.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = scoped(field.queryset, user)
            style_widget(field)


def style_widget(field: forms.Field) -> None:
    widget = field.widget
    if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
        field.widget = widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def add_validation_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a model/service ValidationError on the form fields it names (others on top)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields else None
        for error in errors:
            if target is None and name != NON_FIELD_ERRORS:
                form.add_error(None, ValidationError(f"{name}: {'; '.join(error.messages)}"))
            else:
                form.add_error(target, error)


def model_data(form: forms.ModelForm) -> dict[str, Any]:
    """The cleaned values of the form fields that are fields of the model."""
    data = {}
    for name, value in form.cleaned_data.items():
        try:
            form._meta.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        data[name] = value
    return data


# --------------------------------------------------------------------------- views


class ObjectView(View):
    model: type[models.Model] | None = None
    queryset: models.QuerySet | None = None
    action: ClassVar[str] = "view"
    permission: str | None = None

    def get_permission(self) -> str:
        return self.permission or model_permission(self.model, self.action)

    def check_permission(self, request, permission: str | None = None) -> None:
        if not request.user.has_perm(permission or self.get_permission()):
            raise PermissionDenied(_("You need the permission %(permission)s for this page.")
                                   % {"permission": permission or self.get_permission()})

    def base_queryset(self) -> models.QuerySet:
        qs = self.queryset if self.queryset is not None else self.model._default_manager.all()
        return qs.all()

    # callable(obj) -> the page to show after saving/deleting; default obj.get_absolute_url()
    success_url: Callable[[models.Model], str] | None = None

    def object_url(self, obj) -> str:
        return self.success_url(obj) if self.success_url is not None else obj.get_absolute_url()

    def get_object(self, request, pk):
        # Scope first: another customer's object is "not found" even without the permission.
        return get_scoped_or_404(self.base_queryset(), request.user, pk=pk)

    def meta_context(self, request) -> dict[str, Any]:
        meta = self.model._meta
        user = request.user
        if self.permission:  # a page with its own permission (audit log) offers no edit links
            return {"model_name": meta.model_name, "verbose_name": meta.verbose_name,
                    "verbose_name_plural": meta.verbose_name_plural, "list_url": None, "add_url": None,
                    "edit_url_name": None, "delete_url_name": None}

        def allowed(page: str, action: str) -> bool:
            return page in self.actions and user.has_perm(model_permission(self.model, action))

        return {
            "model_name": meta.model_name,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(model_url_name(self.model, "list")) if "list" in self.actions else None,
            "add_url": reverse(model_url_name(self.model, "add")) if allowed("add", "add") else None,
            "edit_url_name": model_url_name(self.model, "edit") if allowed("edit", "change") else None,
            "delete_url_name": model_url_name(self.model, "delete") if allowed("delete", "delete") else None,
        }

    actions: tuple[str, ...] = ("list", "detail", "add", "edit", "delete")

    def fallback_url(self) -> str:
        return reverse(model_url_name(self.model, "list")) if "list" in self.actions else reverse("home")


class ObjectListView(ObjectView):
    """Filtered, searched, sorted and paginated table of the objects the user may see.

    The filter form is the model's FilterSet (the same class the API uses). htmx requests
    (filters changed, a header or page clicked) get only the table back.
    """

    filterset_class = None
    columns: list[Column] = []
    # filter name -> callable(user) giving the related objects offered in a select box
    filter_choices: dict[str, Callable[[Any], models.QuerySet]] = {}
    paginate_by = 25
    template_name = "generic/object_list.html"
    table_template_name = "generic/_object_table.html"

    def get(self, request):
        self.check_permission(request)
        filterset = self.filterset_class(data=request.GET, queryset=scoped(self.base_queryset(), request.user),
                                         request=request)
        self.add_choice_fields(filterset, request.user)
        qs = filterset.qs
        sortable = {c.ordering(self.model) for c in self.columns} - {None}
        sort = request.GET.get("sort", "")
        if sort.lstrip("-") in sortable:
            qs = qs.order_by(sort, "pk")
        else:
            sort = ""
            if not qs.ordered:  # stable pages even when the model has no default ordering
                qs = qs.order_by("pk")
        try:
            per_page = int(request.GET.get("per_page", self.paginate_by))
        except ValueError:
            per_page = self.paginate_by
        per_page = per_page if per_page in PAGE_SIZES else self.paginate_by
        page = Paginator(qs, per_page).get_page(request.GET.get("page"))
        headers = []
        for column in self.columns:
            order = column.ordering(self.model)
            headers.append({
                "label": column.header(self.model),
                "sort": order,
                "active": sort.lstrip("-") == order if order else False,
                "descending": sort.startswith("-"),
                "next_sort": f"-{order}" if order and sort == order else order,
                "css": column.css_class,
            })
        rows = [
            {"object": obj, "cells": [{"value": c.value(obj), "link": c.link, "css": c.css_class} for c in self.columns]}
            for obj in page.object_list
        ]
        context = {
            **self.meta_context(request),
            "list_url": request.path,
            "filter_form": filterset.form,
            "headers": headers,
            "rows": rows,
            "page_obj": page,
            "sort": sort,
            "search": request.GET.get("q", ""),
            "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort", "per_page")),
            "table_template": self.table_template_name,
        }
        if request.htmx and request.htmx.target == "object-table":
            return render(request, self.table_template_name, context)
        return render(request, self.template_name, context)

    def add_choice_fields(self, filterset, user) -> None:
        """Offer foreign-key filters as select boxes of the objects the user may see; other
        id filters (site, contract...) stay hidden and are set by links from detail pages."""
        form = filterset.form
        for name, field in list(form.fields.items()):
            if name in self.filter_choices:
                choices = [("", "---------")] + [(obj.pk, str(obj)) for obj in scoped(self.filter_choices[name](user), user)]
                form.fields[name] = forms.TypedChoiceField(label=field.label, choices=choices, coerce=int,
                                                           required=False, empty_value=None)
            elif isinstance(field, forms.DecimalField):
                form.fields[name].widget = forms.HiddenInput()
            style_widget(form.fields[name])


class ObjectDetailView(ObjectView):
    """One object, looked up through `scoped()` (404 outside the user's customer)."""

    fields: list[str] = []
    template_name: str | None = None
    extra_context: Callable[[Any, models.Model], dict[str, Any]] | None = None

    def get_template_names(self) -> list[str]:
        meta = self.model._meta
        return [self.template_name or f"{meta.app_label}/{meta.model_name}_detail.html", "generic/object_detail.html"]

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        self.check_permission(request)
        context = {**self.meta_context(request), "object": obj, "field_rows": self.field_rows(obj)}
        if self.extra_context is not None:
            context.update(self.extra_context(request, obj))
        return render(request, self.get_template_names(), context)

    def field_rows(self, obj) -> list[dict[str, Any]]:
        rows = []
        for accessor in self.fields:
            column = Column(accessor)
            value = column.value(obj)
            rows.append({"label": column.header(self.model), "value": value,
                         "url": value.get_absolute_url() if hasattr(value, "get_absolute_url") else None})
        return rows


class ObjectEditView(ObjectView):
    """Create (no pk) or edit (pk) with a ModelForm, saved through an audit-logging service.

    `create(actor=, data=, form=)` and `update(actor=, instance=, data=, form=)` default to
    `object_create` / `object_update`. A ValidationError from the model or service is shown on
    the form fields and nothing is written (the services run in one transaction).
    """

    form_class: type[forms.ModelForm] | None = None
    template_name = "generic/object_edit.html"
    create: Callable[..., models.Model] | None = None
    update: Callable[..., models.Model] | None = None

    def get_permission(self) -> str:
        action = "change" if self.kwargs.get("pk") else "add"
        return self.permission or model_permission(self.model, action)

    def initial_from_query(self, request) -> dict[str, Any]:
        """`?customer=5` pre-fills a form field (e.g. "add a contact" from a customer page)."""
        return {name: value for name, value in request.GET.items() if name in self.form_class.base_fields}

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        self.instance = self.get_object(request, pk) if pk else None
        self.check_permission(request)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, request, form, status=200):
        context = {**self.meta_context(request), "form": form, "object": self.instance,
                   "cancel_url": safe_next_url(request, self.object_url(self.instance) if self.instance
                                               else self.fallback_url())}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk=None):
        form = self.form_class(instance=self.instance, initial=self.initial_from_query(request), user=request.user)
        return self.render_form(request, form)

    def post(self, request, pk=None):
        # The form validates a throw-away copy so the service sees the object as it was.
        form_instance = self.base_queryset().get(pk=self.instance.pk) if self.instance else None
        form = self.form_class(request.POST, request.FILES, instance=form_instance, user=request.user)
        if form.is_valid():
            try:
                obj = self.save(request, form)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                message = _("%(name)s “%(object)s” was saved.") % {
                    "name": self.model._meta.verbose_name, "object": obj}
                messages.success(request, message[:1].upper() + message[1:])
                return HttpResponseRedirect(safe_next_url(request, self.object_url(obj)))
        return self.render_form(request, form)

    def save(self, request, form) -> models.Model:
        data = model_data(form)
        if self.instance is None:
            create = self.create or (lambda *, actor, data, form: services.object_create(
                actor=actor, model=self.model, data=data))
            return create(actor=request.user, data=data, form=form)
        update = self.update or (lambda *, actor, instance, data, form: services.object_update(
            actor=actor, instance=instance, data=data))
        return update(actor=request.user, instance=self.instance, data=data, form=form)


class ObjectDeleteView(ObjectView):
    """A confirmation page; POST deletes through `remove` (the viewset's `delete` service,
    default `object_delete`; a view cannot have an attribute named after an HTTP method).
    An object still in use (protected foreign keys) is kept and the reason shown."""

    action = "delete"
    template_name = "generic/object_delete.html"
    remove: Callable[..., None] | None = None

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        self.check_permission(request)
        return render(request, self.template_name, {**self.meta_context(request), "object": obj,
                                                    "object_url": self.object_url(obj)})

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        self.check_permission(request)
        label = str(obj)
        try:
            if self.remove is not None:
                self.remove(actor=request.user, instance=obj)
            else:
                services.object_delete(actor=request.user, instance=obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self.object_url(obj))
        message = _("%(name)s “%(object)s” was deleted.") % {"name": self.model._meta.verbose_name, "object": label}
        messages.success(request, message[:1].upper() + message[1:])
        # The object is gone: go back to where it was listed (its parent page for line items).
        return HttpResponseRedirect(safe_next_url(request, self.object_url(obj) if self.success_url else self.fallback_url()))


# --------------------------------------------------------------------------- declarations


class ObjectViewSet:
    """The declaration of one archive type's pages; `urls()` turns it into URL patterns."""

    model: type[models.Model]
    queryset: models.QuerySet | None = None
    filterset_class = None
    columns: list[Column] = []
    filter_choices: dict[str, Callable[[Any], models.QuerySet]] = {}
    detail_fields: list[str] = []
    detail_template: str | None = None
    detail_context: Callable[[Any, models.Model], dict[str, Any]] | None = None
    form_class: type[forms.ModelForm] | None = None
    create: Callable[..., models.Model] | None = None
    update: Callable[..., models.Model] | None = None
    delete: Callable[..., None] | None = None
    success_url: Callable[[models.Model], str] | None = None
    actions: tuple[str, ...] = ("list", "detail", "add", "edit", "delete")
    url_prefix: str | None = None  # default "<model_name>s"
    list_view = ObjectListView
    detail_view = ObjectDetailView
    edit_view = ObjectEditView
    delete_view = ObjectDeleteView

    @classmethod
    def urls(cls) -> list:
        name = cls.model._meta.model_name
        prefix = cls.url_prefix or f"{name}s"
        common = {"model": cls.model, "queryset": cls.queryset, "actions": cls.actions, "success_url": cls.success_url}
        patterns: Iterable = []
        if "list" in cls.actions:
            patterns.append(path(f"{prefix}/", cls.list_view.as_view(
                filterset_class=cls.filterset_class, columns=cls.columns, filter_choices=cls.filter_choices,
                **common), name=f"{name}_list"))
        if "add" in cls.actions:
            patterns.append(path(f"{prefix}/add/", cls.edit_view.as_view(
                form_class=cls.form_class, create=cls.create, update=cls.update, **common), name=f"{name}_add"))
        if "detail" in cls.actions:
            patterns.append(path(f"{prefix}/<int:pk>/", cls.detail_view.as_view(
                fields=cls.detail_fields, template_name=cls.detail_template, extra_context=cls.detail_context,
                **common), name=f"{name}_detail"))
        if "edit" in cls.actions:
            patterns.append(path(f"{prefix}/<int:pk>/edit/", cls.edit_view.as_view(
                form_class=cls.form_class, create=cls.create, update=cls.update, **common), name=f"{name}_edit"))
        if "delete" in cls.actions:
            patterns.append(path(f"{prefix}/<int:pk>/delete/", cls.delete_view.as_view(remove=cls.delete, **common),
                                 name=f"{name}_delete"))
        return patterns
