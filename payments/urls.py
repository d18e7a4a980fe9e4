from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.my_involvement, name="my_involvement"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/submit/", views.claim_submit, name="claim_submit"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claims/<int:pk>/decline/", views.claim_decline, name="claim_decline"),
    path("claims/<int:pk>/expenses/", views.expense_add, name="expense_add"),
    path("expenses/<int:pk>/remove/", views.expense_remove, name="expense_remove"),
    path("expenses/<int:pk>/receipt/", views.receipt_download, name="receipt_download"),
    path("statement.csv", views.statement_csv, name="statement_csv"),
    path("profile/", views.profile, name="profile"),
]
