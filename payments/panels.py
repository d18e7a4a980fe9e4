from wagtail.admin.ui.components import Component

from . import limits
from .models import InvolvementClaim


class OverdueClaimsPanel(Component):
    """Dashboard panel: approved claims not paid within the policy's pay-within period, and the queue size."""

    name = "payments_overdue"
    template_name = "payments/admin/overdue_panel.html"
    order = 90

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        overdue = limits.overdue_claims()
        context.update(
            {
                "overdue": overdue[:10],
                "overdue_count": overdue.count(),
                "waiting_count": InvolvementClaim.objects.filter(
                    status=InvolvementClaim.Status.SUBMITTED
                ).count(),
            }
        )
        return context
