from django import template

from payments.payout_models import Payout

register = template.Library()


@register.simple_tag
def recent_payouts(user, limit=5):
    """The person's latest payouts (not the declined/donated ones still pending), with their claims."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Payout.objects.filter(contributor=user)
        .exclude(status=Payout.Status.PENDING, method__in=Payout.Method.without_money())
        .prefetch_related("items")
        .order_by("-created_at", "-pk")[:limit]
    )
