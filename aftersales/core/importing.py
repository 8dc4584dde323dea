"""All-or-nothing import of archive rows from a CSV or Excel file.

An `Importer` declares its columns (English and Chinese headers are both accepted), turns
one row into model field values (references by natural key: customer by code, site by
customer code + site name, product by model, contract by number) and the engine does the
rest, the same way for every kind:

1. read the file (.csv in UTF-8 with or without BOM, falling back to GB18030 as saved by
   Chinese Excel; or .xlsx), refusing other types and files over IMPORT_MAX_BYTES;
2. validate every row with the model's `full_clean()` plus uniqueness inside the file
   itself, collecting every error with its spreadsheet row number (header = row 1);
3. only if no row has an error, create all rows in ONE transaction with `bulk_create`.

Audit: one audit record per created object (written with one `bulk_create` too), so the
audit log answers "where did this unit come from" for an imported row exactly as for a
hand-made one. A database refusal half-way (a unique key taken by a concurrent writer)
rolls the whole transaction back and is reported: nothing is ever half-imported.

File-level problems (type, size, unreadable file) are reported as row 0, field "file".
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext as _

from aftersales.core.models import AuditAction, AuditLog
from aftersales.core.scoping import scoped
from aftersales.core.serialization import snapshot

ALLOWED_SUFFIXES = (".csv", ".xlsx")
FILE_FIELD = "file"


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it: the header is row 1, the first data row is row 2
    field: str  # the column's English name, or "file" for the file as a whole
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"{self.field}: {self.message}"
        return f"row {self.row}, field {self.field}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0  # data rows read from the file
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Column:
    name: str  # canonical English header, also the name errors use
    aliases: tuple[str, ...] = ()  # more accepted headers, Chinese first
    required: bool = True  # the column must be present in the header row
    label: str = ""  # Chinese header written into download templates

    def headers(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class RowInvalid(Exception):
    """Raised by `Importer.build` with {column: message} for a row it cannot fully turn into
    data. `instance` carries what could be built, so the model's own checks still report the
    row's other problems; `unresolved` names the model fields left empty because of `errors`."""

    def __init__(self, errors: dict[str, str], *, instance: models.Model | None = None,
                 unresolved: Iterable[str] = ()):
        super().__init__(errors)
        self.errors = errors
        self.instance = instance
        self.unresolved = list(unresolved)


class ImportRefused(Exception):
    """The file as a whole cannot be imported (type, size, unreadable, bad header)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def normalise_header(text: str) -> str:
    text = str(text or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"\s*\(.*?\)\s*|\s*（.*?）\s*", "", text)  # "latitude (°)" / "纬度（度）"
    return re.sub(r"[\s\-]+", "_", text)


class Importer:
    """One importable kind. Subclasses set the class attributes and `build()`."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    permission: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    # Model field names whose errors belong to another column (e.g. "site" -> "site_name");
    # NON_FIELD_ERRORS holds multi-field unique constraints, reported on the key column.
    field_columns: ClassVar[dict[str, str]] = {}

    def __init__(self, actor):
        self.actor = actor

    # -- hooks ---------------------------------------------------------------------------
    def prepare(self, rows: list[dict[str, Any]]) -> None:
        """Load everything the rows refer to with a few queries (not one per row)."""

    def build(self, values: dict[str, Any]) -> models.Model:
        """An unsaved instance for one row; raise RowInvalid({column: message})."""
        raise NotImplementedError

    def file_key(self, values: dict[str, Any]) -> tuple | None:
        """The row's natural key; two rows with the same key in one file are both errors."""
        return None

    file_key_column: ClassVar[str] = ""
    # Foreign keys `build()` sets only to rows it loaded in `prepare()`: known to exist.
    loaded_references: ClassVar[tuple[str, ...]] = ()

    # -- helpers for subclasses -------------------------------------------------------------
    def visible(self, qs: models.QuerySet) -> models.QuerySet:
        """References resolve only to rows the actor may see (the console sees everything)."""
        return qs if self.actor is None else scoped(qs, self.actor)

    def column_for(self, model_field: str) -> str:
        return self.field_columns.get(model_field, model_field)

    def template_headers(self, chinese: bool) -> list[str]:
        return [(c.label or c.name) if chinese else c.name for c in self.columns]


# --- value parsing shared by importers -------------------------------------------------------


def text(value: Any) -> str:
    """A cell as text: Excel gives numbers for codes like 1001, which must read "1001"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")


def parse_date(value: Any) -> datetime.date | None:
    """YYYY-MM-DD (also 2025/3/1 as Chinese Excel writes it) or an Excel date cell."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": raw})


def parse_decimal(value: Any, places: int) -> decimal.Decimal | None:
    raw = text(value)
    if raw == "":
        return None
    try:
        number = decimal.Decimal(raw)
    except decimal.InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})
    # GPS readers give more digits than a centimetre; the column keeps `places` of them.
    return number.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


def parse_json_object(value: Any) -> dict:
    raw = text(value)
    if raw == "":
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(_("Not valid JSON: %(error)s.") % {"error": exc.msg}) from None
    if not isinstance(parsed, dict):
        raise ValueError(_("Give a JSON object, e.g. {\"hostname\": \"fw-01\"}."))
    return parsed


def choice_lookup(choices: type[models.TextChoices], synonyms: dict[str, Iterable[str]]) -> dict[str, str]:
    """Map every accepted spelling of a choice (value, label in each UI language, Chinese
    synonyms) to its stored value."""
    from django.utils import translation

    lookup: dict[str, str] = {}
    for value, label in zip(choices.values, choices.labels, strict=True):
        lookup[value.lower()] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
        for synonym in synonyms.get(value, ()):
            lookup[synonym.strip().lower()] = value
    return lookup


# --- reading files ---------------------------------------------------------------------------


def read_rows(name: str, data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header cells and (spreadsheet row number, cells) for each following row."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(data)
    if suffix == ".xlsx":
        return _read_xlsx(data)
    raise ImportRefused([RowError(0, FILE_FIELD, _("File type %(suffix)s is not supported; use .csv or .xlsx.")
                                  % {"suffix": suffix or _("(none)")})])


def _read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            decoded = data.decode("gb18030")  # what Excel writes for "CSV" on a Chinese Windows
        except UnicodeDecodeError:
            raise ImportRefused([RowError(0, FILE_FIELD, _("The file is neither UTF-8 nor GB18030 text."))]) from None
    try:
        rows = list(csv.reader(io.StringIO(decoded, newline="")))
    except csv.Error as exc:
        raise ImportRefused([RowError(0, FILE_FIELD, _("The CSV file cannot be read: %(error)s.") % {"error": exc})]) from None
    if not rows:
        raise ImportRefused([RowError(0, FILE_FIELD, _("The file is empty."))])
    return rows[0], ((number, cells) for number, cells in enumerate(rows[1:], start=2))


def _read_xlsx(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportRefused([RowError(0, FILE_FIELD, _("The file is not a readable .xlsx workbook."))]) from None
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        raise ImportRefused([RowError(0, FILE_FIELD, _("The file is empty."))])
    return [text(cell) for cell in rows[0]], ((number, cells) for number, cells in enumerate(rows[1:], start=2))


def map_header(importer: Importer, header: list[str]) -> dict[int, str]:
    """Cell index -> canonical column name; refuses unknown, repeated and missing columns."""
    known = {normalise_header(h): column.name for column in importer.columns for h in column.headers()}
    errors: list[RowError] = []
    positions: dict[int, str] = {}
    seen: set[str] = set()
    for index, cell in enumerate(header):
        if normalise_header(cell) == "":
            continue
        name = known.get(normalise_header(cell))
        if name is None:
            # A typo in an optional column would otherwise drop its data without a word.
            errors.append(RowError(1, text(cell), _("Unknown column; expected one of: %(columns)s.")
                                   % {"columns": ", ".join(c.name for c in importer.columns)}))
        elif name in seen:
            errors.append(RowError(1, name, _("This column appears twice.")))
        else:
            seen.add(name)
            positions[index] = name
    for column in importer.columns:
        if column.required and column.name not in seen:
            errors.append(RowError(1, column.name, _("This column is missing.")))
    if errors:
        raise ImportRefused(errors)
    return positions


# --- the service -----------------------------------------------------------------------------


def check_file(name: str, size: int) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportRefused([RowError(0, FILE_FIELD, _("File type %(suffix)s is not supported; use .csv or .xlsx.")
                                      % {"suffix": suffix or _("(none)")})])
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportRefused([RowError(0, FILE_FIELD, _("The file is %(size)d bytes; the limit is %(limit)d bytes.")
                                      % {"size": size, "limit": settings.IMPORT_MAX_BYTES})])


def full_clean_errors(instance: models.Model, unresolved: list[str], loaded: Iterable[str]) -> dict[str, list[str]]:
    """`Model.full_clean()` as {field: messages}, minus two wastes that make large files slow:
    fields that failed to resolve are not checked again (they are reported already), and
    foreign keys the importer loaded from the database itself are not re-queried one row at
    a time. Unique and constraint checks still see every resolved field."""
    errors: dict = {}
    steps = (
        lambda: instance.clean_fields(exclude={*unresolved, *loaded}),
        instance.clean,
        lambda: instance.validate_unique(exclude={*unresolved, *errors}),
        lambda: instance.validate_constraints(exclude={*unresolved, *errors}),
    )
    for step in steps:
        try:
            step()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    return {name: [m for e in errs for m in ValidationError(e).messages] for name, errs in errors.items()}


def validate_rows(importer: Importer, rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[models.Model], list[RowError]]:
    importer.prepare([values for _number, values in rows])
    errors: list[RowError] = []

    keys: dict[tuple, list[int]] = defaultdict(list)
    for number, values in rows:
        key = importer.file_key(values)
        if key is not None:
            keys[key].append(number)
    duplicated_rows = {n: numbers for numbers in keys.values() if len(numbers) > 1 for n in numbers}

    instances: list[models.Model] = []
    for number, values in rows:
        row_errors: dict[str, list[str]] = defaultdict(list)
        if number in duplicated_rows:
            others = ", ".join(str(n) for n in duplicated_rows[number] if n != number)
            row_errors[importer.file_key_column].append(
                _("Appears more than once in this file (also row %(rows)s).") % {"rows": others})
        try:
            instance = importer.build(values)
            unresolved: list[str] = []
        except RowInvalid as exc:
            for column, message in exc.errors.items():
                row_errors[column].append(message)
            instance, unresolved = exc.instance, exc.unresolved
        if instance is not None:
            for model_field, messages in full_clean_errors(instance, unresolved, importer.loaded_references).items():
                row_errors[importer.column_for(model_field)].extend(messages)
            instances.append(instance)
        order = {c.name: i for i, c in enumerate(importer.columns)}
        for column in sorted(row_errors, key=lambda c: order.get(c, len(order))):
            for message in dict.fromkeys(row_errors[column]):  # each message once
                errors.append(RowError(number, column, message))
    return instances, errors


def _write(importer: Importer, instances: list[models.Model]) -> None:
    model = importer.model
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(instances, batch_size=500)
    else:  # pragma: no cover - every supported backend returns ids; kept for MySQL-likes
        for instance in instances:
            instance.save(force_insert=True)
    actor = importer.actor if importer.actor is not None and getattr(importer.actor, "pk", None) else None
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=actor,
                actor_name=actor.get_username() if actor else "system",
                action=AuditAction.CREATE,
                object_type=model._meta.label_lower,
                object_id=str(instance.pk),
                object_repr=str(instance)[:255],
                before=None,
                after=snapshot(instance),
            )
            for instance in instances
        ],
        batch_size=500,
    )


def run_import(*, actor, importer_class: type[Importer], name: str, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import `data` (the bytes of file `name`) as `importer_class.kind`, all or nothing.

    `actor` None means the operator at the console (`aftersales import_data` without --as),
    who can already do anything to the database; a user must hold the kind's add permission.
    """
    if actor is not None and not actor.has_perm(importer_class.permission):
        raise PermissionDenied(importer_class.permission)
    report = ImportReport(kind=importer_class.kind, dry_run=dry_run)
    importer = importer_class(actor)
    try:
        check_file(name, len(data))
        header, body = read_rows(name, data)
        positions = map_header(importer, header)
    except ImportRefused as exc:
        report.errors = exc.errors
        return report

    rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in body:
        values = {column: cells[index] if index < len(cells) else None for index, column in positions.items()}
        if all(text(v) == "" for v in values.values()):
            continue  # blank lines at the end of a sheet are not rows
        rows.append((number, values))
    report.rows = len(rows)
    if not rows:
        report.errors = [RowError(0, FILE_FIELD, _("The file has a header but no rows."))]
        return report

    instances, report.errors = validate_rows(importer, rows)
    if report.errors or dry_run:
        return report
    try:
        with transaction.atomic():
            _write(importer, instances)
    except DatabaseError as exc:
        # e.g. someone created the same serial between validation and writing
        report.errors = [RowError(0, FILE_FIELD, _("The database refused the import (%(error)s); nothing was imported.")
                                  % {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__})]
        return report
    report.created = len(instances)
    return report


def run_import_upload(*, actor, importer_class: type[Importer], upload, dry_run: bool = False) -> ImportReport:
    """`run_import` for an uploaded file; an oversize upload is refused before it is read."""
    if actor is not None and not actor.has_perm(importer_class.permission):
        raise PermissionDenied(importer_class.permission)
    try:
        check_file(upload.name, upload.size)
    except ImportRefused as exc:
        return ImportReport(kind=importer_class.kind, dry_run=dry_run, errors=exc.errors)
    return run_import(actor=actor, importer_class=importer_class, name=upload.name, data=upload.read(), dry_run=dry_run)


# --- registry --------------------------------------------------------------------------------


def importers() -> dict[str, type[Importer]]:
    """Every importable kind by name, in the order the import page offers them."""
    from aftersales.assets.importers import EquipmentImporter
    from aftersales.customers.importers import CustomerImporter, SiteImporter

    return {cls.kind: cls for cls in (CustomerImporter, SiteImporter, EquipmentImporter)}


def template_csv(importer_class: type[Importer], *, chinese: bool) -> bytes:
    """A header-only CSV for a kind, with a BOM so Excel opens the UTF-8 correctly."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(importer_class(None).template_headers(chinese))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


__all__ = [
    "Column", "ImportReport", "Importer", "RowError", "RowInvalid", "importers",
    "parse_date", "parse_decimal", "parse_json_object", "run_import", "template_csv", "text",
]
