from django.urls import path

from serentak.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language_switch, name="language"),
    path("healthz", views.healthz, name="healthz"),
]
