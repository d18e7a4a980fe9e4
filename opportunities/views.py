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
from .models.application import UNDO_WITHDRAWAL_WITHIN
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
        if action == "withdraw" and application.is_open:
            # Withdrawing is asked about first (a page that works without JavaScript): an old copy of this
            # page's form only leads there.
            return HttpResponseRedirect(reverse("opportunities:withdraw", args=[token]))
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
            "token": token,
            "can_undo": application.can_undo_withdrawal(),
        },
        status=status,
    )
    # The link is a secret and the page is personal: never kept by a shared cache or the browser.
    response["Cache-Control"] = "private, no-store"
    return response


def _by_link(token):
    application = read_manage_token(token)
    if application is None:
        raise Http404("This link is not valid. Please use the link in your latest e-mail.")
    return application


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    """ "Are you sure?" (GET), then the withdrawal (POST); the application's page then offers the undo."""
    application = _by_link(token)
    manage_url = reverse("opportunities:manage", args=[token])
    if not application.is_open:
        return HttpResponseRedirect(manage_url)
    if request.method == "POST":
        done = "Your application has been withdrawn. We have sent you an e-mail to confirm."
        _act(request, services.withdraw, application, done)
        return HttpResponseRedirect(manage_url)
    return _private(
        render(
            request,
            "opportunities/withdraw.html",
            {
                "application": application,
                "opportunity": application.opportunity,
                "page": application.opportunity,
                "manage_url": manage_url,
                "undo_hours": int(UNDO_WITHDRAWAL_WITHIN.total_seconds() // 3600),
            },
        )
    )


@require_http_methods(["GET", "POST"])
def undo_withdrawal(request, token):
    """Undoes a withdrawal (POST from the application's page); a GET changes nothing."""
    application = _by_link(token)
    manage_url = reverse("opportunities:manage", args=[token])
    if request.method == "POST":
        done = "Your application is back as it was. We have sent you an e-mail to confirm."
        _act(request, services.undo_withdrawal, application, done)
    return HttpResponseRedirect(manage_url)


def _act(request, action, application, done):
    """Runs a service on the application: its refusal, or `done`, is the next page's message."""
    try:
        action(application)
    except services.ApplicationRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
