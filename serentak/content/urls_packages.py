from django.urls import path

from serentak.content import views_packages as views

urlpatterns = [
    path("", views.package_list, name="packages"),
    path("new/", views.package_new, name="package-new"),
    path("check/", views.package_check, name="package-check"),
    path("<int:pk>/", views.package_detail, name="package-detail"),
    path("<int:pk>/send/", views.package_send, name="package-send"),
    path("<int:pk>/originality/", views.package_originality, name="package-originality"),
]
