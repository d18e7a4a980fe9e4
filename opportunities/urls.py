from django.urls import path

from . import views

app_name = "opportunities"

urlpatterns = [
    path("<str:token>/", views.manage, name="manage"),
    path("<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:token>/undo-withdrawal/", views.undo_withdrawal, name="undo_withdrawal"),
]
