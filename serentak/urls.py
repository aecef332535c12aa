from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("serentak.core.urls")),
    path("", include("serentak.org.urls")),
    path("accounts/", include("serentak.accounts.urls")),
    path("notifications/", include("serentak.notifications.urls")),
    path("facebook/", include("serentak.pages.urls")),
    path("content/", include("serentak.content.urls")),
    path("api/v1/", include("serentak.api.urls")),
    path("admin/", admin.site.urls),
]
