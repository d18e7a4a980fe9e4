"""CSV and XLSX downloads of the involvement reports (the same figures as the reports page)."""

import csv
import io

from django.http import Http404, HttpResponse
from django.utils import timezone

from . import reports


def report_tables():
    """(sheet name, header, rows) for each report table; four queries for the totals, plus the waits."""
    data = reports.full_report()
    contributor_rows = [
        [
            f"{row['tax_year']}/{str(row['tax_year'] + 1)[-2:]}",
            f"{row['contributor__first_name']} {row['contributor__last_name']}".strip(),
            row["contributor__email"],
            row["claims"],
            row["fees"],
            row["expenses"],
            row["total"],
            row["paid"] or 0,
        ]
        for row in data["per_contributor"]
    ]
    activity_rows = [
        [row["label"], row["claims"], row["minutes"], row["fees"], row["expenses"], row["total"]]
        for row in data["per_activity"]
    ]
    month_rows = [
        [row["month"].strftime("%Y-%m"), row["claims"], row["fees"], row["expenses"], row["total"]]
        for row in data["per_month"]
    ]
    waiting = data["waiting"]
    waiting_rows = [
        [label, waiting[key]["count"], waiting[key]["median"], waiting[key]["worst"]]
        for key, label in (
            ("submission_to_approval", "Submission to approval"),
            ("approval_to_payment", "Approval to payment"),
        )
    ]
    return [
        (
            "Per contributor",
            ["Tax year", "Contributor", "Email", "Claims", "Fees", "Expenses", "Total", "Paid"],
            contributor_rows,
        ),
        ("Per activity", ["Activity", "Claims", "Minutes", "Fees", "Expenses", "Total"], activity_rows),
        ("Per month", ["Month", "Claims", "Fees", "Expenses", "Total"], month_rows),
        ("Waiting times", ["Step", "Claims", "Median days", "Worst days"], waiting_rows),
    ]


def _safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def report_response(fmt):
    stamp = timezone.localdate().isoformat()
    tables = report_tables()
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="involvement-report-{stamp}.csv"'
        writer = csv.writer(response)
        for name, header, rows in tables:
            writer.writerow([name])
            writer.writerow(header)
            writer.writerows([[_safe(v) for v in row] for row in rows])
            writer.writerow([])
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.remove(workbook.active)
        for name, header, rows in tables:
            sheet = workbook.create_sheet(name)
            sheet.append(header)
            for row in rows:
                sheet.append([_safe(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="involvement-report-{stamp}.xlsx"'
        return response
    raise Http404("Unknown format")
