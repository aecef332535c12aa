from django.urls import include, path

app_name = "content"

urlpatterns = [
    path("", include("serentak.content.urls_inbox")),
    path("packages/", include("serentak.content.urls_packages")),
]
