from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("<int:page_id>/export.<str:fmt>", views.export, name="export"),
]
