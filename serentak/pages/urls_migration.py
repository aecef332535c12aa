from django.urls import path

from serentak.pages import views_migration as views

urlpatterns = [
    path("", views.migration_list, name="migrations"),
    path("<int:pk>/", views.migration_detail, name="migration"),
    path("<int:pk>/step/", views.migration_tick, name="migration-tick"),
    path("start/<int:presence_pk>/", views.migration_open, name="migration-start"),
]
