from django.urls import path

from serentak.api import views

app_name = "api"

urlpatterns = [
    path("units/", views.UnitList.as_view(), name="unit-list"),
    # <str:...> takes anything but "/", so codes with dots ("74.06") match.
    path("units/<slug:institution>/<str:code>/", views.UnitDetail.as_view(), name="unit-detail"),
    path("me/", views.MeDetail.as_view(), name="me"),
    path("schema/", views.Schema.as_view(), name="schema"),
    path("token/", views.token_page, name="token"),
]
