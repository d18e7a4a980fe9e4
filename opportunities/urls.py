from django.urls import path

from . import views

app_name = "opportunities"

urlpatterns = [
    path("<str:token>/", views.manage, name="manage"),
]
