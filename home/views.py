from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from wagtail.models import Page

from .forms import FeedbackForm
from .services import FeedbackRejected, submit_feedback


def feedback(request, page, *args, **kwargs):
    """Feedback posted to a guidance page's own address (see `wagtail_hooks`); a GET of the page is
    Wagtail's, with the empty form from `GuidancePage.get_context`."""
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            submit_feedback(page=page, data=form.cleaned_data, request=request)
        except FeedbackRejected as exc:
            form.add_error(None, str(exc))
        else:
            return HttpResponseRedirect(page.url + "?feedback=sent#feedback")
    context = page.get_context(request, *args, **kwargs)
    context["feedback_form"] = form
    return TemplateResponse(request, page.get_template(request, *args, **kwargs), context, status=400)


def search(request):
    # PostgreSQL stores and compares no NUL character: one in the query would be a database error.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query, operator="and")
    paginator = Paginator(results, 10)
    try:
        page_obj = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)
    return render(
        request,
        "search/search.html",
        {"query": query, "results": page_obj, "result_count": paginator.count if query else 0},
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever failed may be what they need.
    return HttpResponseServerError(loader.get_template("500.html").render())
