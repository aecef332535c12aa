from django.urls import path

from serentak.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/<slug:institution>/<str:code>/", views.unit_detail, name="unit-detail"),
    path(
        "units/<slug:institution>/<str:code>/contacts/", views.unit_contacts, name="unit-contacts"
    ),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/active/", views.person_set_active, name="person-set-active"),
    path("memberships/<int:pk>/role/", views.membership_role, name="membership-role"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
