from wagtail.admin.viewsets.model import ModelViewSet

from .models import FeedbackSubmission


class FeedbackViewSet(ModelViewSet):
    model = FeedbackSubmission
    icon = "comment"
    menu_label = "Feedback"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["comment", "page", "name", "role", "submitted_at"]
    list_filter = ["page", "role", "may_contact", "submitted_at"]
    list_export = ["submitted_at", "page", "name", "email", "role", "may_contact", "comment"]
    export_filename = "feedback"
    search_fields = ["comment", "name", "email"]
    ordering = ["-submitted_at"]
    form_fields = ["page", "name", "email", "role", "comment", "may_contact"]
    # Editors are given view and delete permissions only (see the groups migration): feedback is what
    # people sent, so it is read, exported and deleted, never rewritten.
    inspect_view_enabled = True


feedback_viewset = FeedbackViewSet("feedback")
