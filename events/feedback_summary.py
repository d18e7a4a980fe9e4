"""Reading an event's feedback: the summary organisers see and the rows they export.

What must stay true: the summary runs the same few queries however many answers there are (one aggregate
for every count, one count and one page for the written answers), and its counts are the answers' own.
"""

from django.core.paginator import Paginator
from django.db.models import Q

from .choices import AccessMet, Rating
from .models import EventFeedback

COMMENTS_PER_PAGE = 50
EXPORT_HEADER = [
    "submitted",
    "rating",
    "what worked",
    "what to change",
    "access needs met",
    "about access",
    "name (if shown)",
]


def feedback_summary(event, page_number=1):
    answers = EventFeedback.objects.filter(event=event)
    counts = answers.summary()
    total = counts["total"]
    ratings = [
        {"value": value, "label": label, "count": counts[f"rating_{value}"]}
        for value, label in reversed(Rating.choices)
    ]
    access = [{"label": label, "count": counts[f"access_{value}"]} for value, label in AccessMet.choices]
    written = answers.exclude(Q(what_worked="") & Q(what_to_change="") & Q(access_comment="")).order_by(
        "-submitted_at", "-pk"
    )
    paginator = Paginator(written, COMMENTS_PER_PAGE)
    comments = paginator.get_page(page_number)
    return {
        "total": total,
        "average": round(counts["average"], 1) if counts["average"] is not None else None,
        "ratings": ratings,
        "access": access,
        "comments": comments,
    }


def export_rows(event):
    rows = EventFeedback.objects.filter(event=event).order_by("submitted_at", "pk")
    for answer in rows.iterator(chunk_size=500):
        yield [
            answer.submitted_at.date().isoformat(),
            answer.rating,
            answer.what_worked,
            answer.what_to_change,
            answer.get_access_met_display(),
            answer.access_comment,
            answer.name,
        ]
