from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_GET
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from home.sitemap import PageSitemap
from payouts import views as payout_views

from .api import api_router

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("account/", include("accounts.urls")),
    path("search/", home_views.search, name="search"),
    path("sitemap.xml", require_GET(sitemap), {"sitemaps": {"pages": PageSitemap}}, name="sitemap"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("manifest.webmanifest", home_views.web_manifest, name="web_manifest"),
    path("favicon.ico", home_views.favicon, name="favicon"),
    path("feeds/", include("home.urls")),
    path("api/v2/", api_router.urls),
    path("library/", include("library.urls")),
    path("events/", include("events.urls")),
    path("applications/", include("opportunities.urls")),
    path("involvement/payouts/", include("payouts.urls")),
    path("involvement/", include("payments.urls")),
    path("stripe/webhook/", payout_views.stripe_webhook, name="stripe_webhook"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"
