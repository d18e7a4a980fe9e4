"""Public views: the expression of interest posted to an opportunity page, and the applicant's page
behind the signed link (see, change, withdraw; accept or decline an offer)."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ApplicationForm
from .signing import make_manage_token, read_manage_token

Status = services.Status


def apply(request, opportunity, *args, **kwargs):
    """The form posted to an opportunity page's own address (see `wagtail_hooks`). Invalid or refused:
    the page again with the form as it was sent (status 400)."""
    form = ApplicationForm(request.POST, opportunity=opportunity)
    if form.is_valid():
        try:
            application = services.apply(
                opportunity,
                data=form.application_data(),
                request=request,
                user=request.user if request.user.is_authenticated else None,
            )
        except services.AlreadyApplied:
            return HttpResponseRedirect(opportunity.url + "?already=1#apply")
        except services.ApplicationRefused as exc:
            form.add_error(None, str(exc))
        else:
            url = reverse("opportunities:manage", args=[make_manage_token(application)])
            return HttpResponseRedirect(f"{url}?new=1")
    context = opportunity.get_context(request, *args, **kwargs)
    context["form"] = form
    response = TemplateResponse(
        request, opportunity.get_template(request, *args, **kwargs), context, status=400
    )
    response["Cache-Control"] = "private, no-store"
    return response


ACTIONS = {
    "withdraw": (
        services.withdraw,
        "Your application has been withdrawn. We have sent you an e-mail to confirm.",
    ),
    "accept": (
        lambda application: services.accept_offer(application),
        "Thank you for accepting. We have sent you an e-mail with what happens next.",
    ),
    "decline": (
        lambda application: services.decline_offer(application),
        "You have declined the offer. Thank you for letting us know.",
    ),
}


@require_http_methods(["GET", "POST"])
def manage(request, token):
    application = read_manage_token(token)
    if application is None:
        raise Http404("This link is not valid. Please use the link in your latest e-mail.")
    opportunity = application.opportunity
    form = None
    status = 200
    if application.is_open:
        form = ApplicationForm(
            opportunity=opportunity, change=True, initial=ApplicationForm.initial_for(application)
        )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ACTIONS:
                function, message = ACTIONS[action]
                function(application)
                messages.success(request, message)
                return HttpResponseRedirect(request.path)
            if action == "change" and application.is_open:
                form = ApplicationForm(request.POST, opportunity=opportunity, change=True)
                if form.is_valid():
                    data = form.application_data()
                    services.change_application(application, data=data)
                    messages.success(
                        request, "Your changes are saved. We have sent you an e-mail to confirm."
                    )
                    return HttpResponseRedirect(request.path)
                status = 400
            else:
                messages.error(request, "That cannot be done with this application now.")
                status = 400
        except services.ApplicationRefused as exc:
            if form is not None and action == "change":
                form.add_error(None, str(exc))
            else:
                messages.error(request, str(exc))
            status = 400
    application.refresh_from_db()
    response = render(
        request,
        "opportunities/manage.html",
        {
            "application": application,
            "opportunity": opportunity,
            "page": opportunity,
            "form": form if application.is_open else None,
            "is_new": request.GET.get("new"),
        },
        status=status,
    )
    # The link is a secret and the page is personal: never kept by a shared cache or the browser.
    response["Cache-Control"] = "private, no-store"
    return response
