from django.urls import include, path

app_name = "pages"

urlpatterns = [
    path("", include("serentak.pages.urls_registry")),
    path("import/", include("serentak.pages.urls_imports")),
    path("audit/", include("serentak.pages.urls_audit")),
    path("blue-check/", include("serentak.pages.urls_verification")),
    path("migrations/", include("serentak.pages.urls_migration")),
]
