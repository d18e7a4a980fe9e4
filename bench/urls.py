from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    """The baseline: a Django view that does no work, served by the same server and middleware."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench__/bare/", bare), *portal_urlpatterns]
