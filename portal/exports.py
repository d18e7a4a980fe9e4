"""Spreadsheet downloads, CSV and XLSX, with the one formula guard every export goes through.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula, and some strip a
leading tab or carriage return first (OWASP "CSV injection"); some also fold the full-width forms
(＝ ＋ － ＠) to those. Text people typed (a project name, a comment, an access need) must never run in
a coordinator's spreadsheet, so `guard` puts an apostrophe in front of such text, in every format.
Numbers, dates and booleans are never touched: a negative amount stays a number.

What must stay true: this module holds the only formula guard. The portal's own CSVs (`csv_response`),
its workbooks (`xlsx_response`) and every list export Wagtail makes (`guard_wagtail_exports`) all
call `guard`.
"""

import csv
import io

from django.http import HttpResponse

FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def guard(value):
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def cell(value):
    """A value as one spreadsheet cell: lists joined with "; ", booleans as yes/no, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(item) for item in value)
    return guard(value)


def _attachment(response, filename, private):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        # Personal data: never kept by a shared cache or the browser's history.
        response["Cache-Control"] = "private, no-store"
    return response


def csv_response(filename, rows, *, private=False, bom=False):
    """A CSV download of `rows` (each a list of values; the header is the first row)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    if bom:
        response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return _attachment(response, filename, private)


def xlsx_response(filename, sheets, *, private=False):
    """An XLSX download with one sheet per (name, header, rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in [header, *rows]:
            # openpyxl stores text starting with "=" as a formula; guarded text never starts with it.
            sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, filename, private)


def guard_wagtail_exports():
    """Puts `guard` in front of every cell of Wagtail's own list exports.

    Wagtail writes text as given in every CSV and XLSX export it makes: model and snippet viewsets
    (feedback, claims), the page explorer, the reports, form submissions, redirects. They all
    inherit `SpreadsheetExportMixin.preprocess_field_value`, which both of its writers call for each
    cell, so guarding that one method covers them all, including viewsets added later. Called once
    at start-up (portal.apps); calling it again changes nothing.
    """
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    wagtail_preprocess = SpreadsheetExportMixin.preprocess_field_value
    if getattr(wagtail_preprocess, "guarded", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        return guard(wagtail_preprocess(self, field, value, export_format))

    preprocess_field_value.guarded = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
