from django.urls import path

from . import views

app_name = "payouts"

urlpatterns = [
    path("", views.payout_list, name="list"),
    path("<int:pk>/", views.payout_detail, name="detail"),
    path("stripe/set-up/", views.stripe_setup, name="stripe_setup"),
    path("stripe/refresh/", views.stripe_refresh, name="stripe_refresh"),
    path("stripe/return/", views.stripe_return, name="stripe_return"),
]
