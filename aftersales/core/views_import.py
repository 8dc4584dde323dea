"""The import page: upload a CSV/Excel file of customers, sites or equipment.

Permission: the add permission of the chosen kind (customers.add_customer,
customers.add_site, assets.add_equipment); a user holding none of them gets 403.
The import itself is all or nothing (aftersales.core.importing).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core.importing import importers, run_import_upload, template_csv


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"),
                             widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label=gettext_lazy("File"),
                           help_text=gettext_lazy(".csv (UTF-8 or GB18030) or .xlsx; the first row names the columns."),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the file, import nothing"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, kinds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, cls.model._meta.verbose_name_plural) for k, cls in kinds.items()]


@require_http_methods(["GET", "POST"])
def import_view(request):
    kinds = {k: cls for k, cls in importers().items() if request.user.has_perm(cls.permission)}
    if not kinds:
        raise PermissionDenied
    kind = request.POST.get("kind") or request.GET.get("kind") or next(iter(kinds))
    if kind not in kinds:
        raise PermissionDenied  # an unknown kind, or one this user may not add

    if request.method == "GET" and request.GET.get("template"):
        response = HttpResponse(template_csv(kinds[kind], chinese=get_language().startswith("zh")),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response

    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            report = run_import_upload(actor=request.user, importer_class=kinds[kind], upload=form.cleaned_data["file"],
                                       dry_run=form.cleaned_data["dry_run"])
            if report.ok:
                if report.dry_run:
                    messages.info(request, _("The file is fine: %(count)d rows can be imported. Nothing was written.")
                                  % {"count": report.rows})
                else:
                    messages.success(request, _("Imported %(count)d %(kind)s.")
                                     % {"count": report.created, "kind": kinds[kind].model._meta.verbose_name_plural})
                return redirect(f"{reverse('core:import')}?kind={kind}")
    else:
        form = ImportForm(initial={"kind": kind}, kinds=kinds)

    templates = [
        {"kind": k, "label": cls.model._meta.verbose_name_plural,
         "url": f"{reverse('core:import')}?kind={k}&template=1",
         "columns": [(c.name, c.label, c.required) for c in cls.columns]}
        for k, cls in kinds.items()
    ]
    return render(request, "core/import.html", {"form": form, "report": report, "templates": templates, "kind": kind})
