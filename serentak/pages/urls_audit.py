from django.urls import path

from serentak.pages import views_audit

# Mounted at /facebook/audit/ under the "pages" namespace.
urlpatterns = [
    path("", views_audit.audit_national, name="audit-national"),
    path("run/", views_audit.audit_run, name="audit-run"),
    path("run/<int:pk>/", views_audit.audit_run_status, name="audit-run-status"),
    path("<slug:institution>/<str:code>/", views_audit.audit_unit, name="audit-unit"),
]
