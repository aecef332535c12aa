from django.urls import URLPattern, path

from serentak.content import views_inbox as views

urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("adaptations/<int:pk>/", views.adaptation, name="adaptation"),
    path("adaptations/<int:pk>/save/", views.adaptation_save_view, name="adaptation-save"),
    path(
        "adaptations/<int:pk>/originality/",
        views.adaptation_originality,
        name="adaptation-originality",
    ),
    path("adaptations/<int:pk>/submit/", views.adaptation_submit_view, name="adaptation-submit"),
    path("adaptations/<int:pk>/photo/", views.adaptation_image, name="adaptation-image"),
    path("approvals/", views.approvals, name="approvals"),
    path("adaptations/<int:pk>/approve/", views.adaptation_approve_view, name="adaptation-approve"),
    path("adaptations/<int:pk>/changes/", views.adaptation_changes_view, name="adaptation-changes"),
]
