from wagtail import hooks

from .viewsets import feedback_viewset


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    return feedback_viewset
