from django.urls import path

from . import views

app_name = "cleaning"
urlpatterns = [
    path("orgs/<str:code>/imports/", views.batch_list, name="batches"),
    path("imports/<int:batch_id>/", views.batch_detail, name="batch"),
    path("imports/<int:batch_id>/rows/<int:row_id>/", views.row_edit, name="row_edit"),
    path("imports/<int:batch_id>/accept/", views.accept_rule, name="accept_rule"),
    path("imports/<int:batch_id>/cells/", views.cells, name="cells"),
    path("imports/<int:batch_id>/files/<int:file_id>/mapping/", views.mapping, name="mapping"),
    path("imports/<int:batch_id>/annotated.xlsx", views.annotated, name="annotated"),
    path("imports/<int:batch_id>/reupload/", views.reupload, name="reupload"),
    path("imports/<int:batch_id>/commit/", views.commit, name="commit"),
    path("imports/<int:batch_id>/cancel/", views.cancel, name="cancel"),
    path("duplicates/<int:candidate_id>/", views.duplicate, name="duplicate"),
]
