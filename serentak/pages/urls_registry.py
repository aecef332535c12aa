from django.urls import path

from serentak.pages import views_registry as views

urlpatterns = [
    path("<slug:institution>/connect/", views.connect, name="connect"),
    path("<slug:institution>/connect/discover/", views.discover, name="discover"),
    path("<slug:institution>/connect/confirm/", views.confirm, name="confirm"),
    path("units/<slug:institution>/<str:code>/", views.unit_presences, name="unit-presences"),
    path("presences/<int:pk>/official/", views.make_official, name="make-official"),
]
