"""Mounted at ``/facebook/import/`` under the "pages" namespace."""

from django.urls import path

from serentak.pages import views_imports

urlpatterns = [
    path("", views_imports.presence_import, name="import"),
    path("preview/", views_imports.presence_import_preview, name="import-preview"),
    path("confirm/", views_imports.presence_import_confirm, name="import-confirm"),
    path("presences/<int:pk>/kind/", views_imports.presence_kind, name="presence-kind"),
]
