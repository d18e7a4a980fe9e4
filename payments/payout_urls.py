from django.urls import path

from . import payout_views

app_name = "payouts"

urlpatterns = [
    path("", payout_views.payout_list, name="list"),
    path("<int:pk>/", payout_views.payout_detail, name="detail"),
    path("stripe/set-up/", payout_views.stripe_setup, name="stripe_setup"),
    path("stripe/refresh/", payout_views.stripe_refresh, name="stripe_refresh"),
    path("stripe/return/", payout_views.stripe_return, name="stripe_return"),
]
