from django.core.cache import caches
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    """The baseline: a Django view that does no work, served by the same server and middleware."""
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
def flush(request):
    """Empties every configured cache alias, so the next request renders on a cold shared cache (`make
    bench --cold`). Only the bench settings route here (ROOT_URLCONF = bench.urls). A process-local
    cache (LocMemCache) is emptied only in the worker that answers, so --cold wants one worker or a
    shared cache (Redis)."""
    for alias in caches:
        caches[alias].clear()
    return HttpResponse("flushed", content_type="text/plain")


urlpatterns = [path("__bench__/bare/", bare), path("__bench__/flush/", flush), *portal_urlpatterns]
