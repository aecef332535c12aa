from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("serentak.core.urls")),
    path("", include("serentak.org.urls")),
    path("accounts/", include("serentak.accounts.urls")),
    path("notifications/", include("serentak.notifications.urls")),
    path("facebook/", include("serentak.pages.urls")),
    path("content/", include("serentak.content.urls")),
    path("api/v1/", include("serentak.api.urls")),
    path("admin/", admin.site.urls),
]

# Uploaded images in development (production serves MEDIA_ROOT from the reverse proxy).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
