from django.urls import path

from serentak.pages import views_verification as views

urlpatterns = [
    path("<slug:institution>/", views.campaign, name="verification"),
    path("<slug:institution>/batches/", views.batch_create, name="verification-create"),
    path("batches/<int:pk>/", views.batch_detail, name="verification-batch"),
    path("batches/<int:pk>/export.<str:fmt>", views.batch_export, name="verification-export"),
    path("requests/<int:pk>/status/", views.request_status, name="verification-status"),
]
