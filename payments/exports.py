"""CSV and XLSX downloads of the involvement reports (the same figures as the reports page)."""

from django.http import Http404
from django.utils import timezone

from portal.exports import csv_response, xlsx_response

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
    involvement_rows = [
        [
            row["label"],
            row["involvement__title"],
            row["involvement__opportunity__title"] or "",
            f"{row['contributor__first_name']} {row['contributor__last_name']}".strip(),
            row["contributor__email"],
            row["claims"],
            row["hours"],
            row["fees"],
            row["expenses"],
            row["total"],
        ]
        for row in data["per_involvement"]
    ]
    opportunity_rows = [
        [
            row["label"],
            row["involvement__opportunity__title"] or "(no opportunity)",
            row["people"],
            row["claims"],
            row["hours"],
            row["fees"],
            row["expenses"],
            row["total"],
        ]
        for row in data["per_opportunity"]
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
        (
            "Per role",
            [
                "Tax year",
                "Role",
                "Opportunity",
                "Contributor",
                "Email",
                "Claims",
                "Hours",
                "Fees",
                "Expenses",
                "Total",
            ],
            involvement_rows,
        ),
        (
            "Per opportunity",
            ["Tax year", "Opportunity", "People", "Claims", "Hours", "Fees", "Expenses", "Total"],
            opportunity_rows,
        ),
        ("Per activity", ["Activity", "Claims", "Minutes", "Fees", "Expenses", "Total"], activity_rows),
        ("Per month", ["Month", "Claims", "Fees", "Expenses", "Total"], month_rows),
        ("Waiting times", ["Step", "Claims", "Median days", "Worst days"], waiting_rows),
    ]


def report_response(fmt):
    stamp = timezone.localdate().isoformat()
    tables = report_tables()
    if fmt == "csv":
        rows = []
        for name, header, table_rows in tables:
            rows += [[name], header, *table_rows, []]
        return csv_response(f"involvement-report-{stamp}.csv", rows, private=True)
    if fmt == "xlsx":
        return xlsx_response(f"involvement-report-{stamp}.xlsx", tables, private=True)
    raise Http404("Unknown format")
