from django.urls import path

from . import views

app_name = "corrections"

# The member's pages live under the handbook's prefix (/so-tay/), officials' under /dinh-chinh/.
urlpatterns = [
    path("so-tay/dinh-chinh/", views.mine, name="mine"),
    path("so-tay/dinh-chinh/moi/", views.mine_new, name="mine_new"),
    path("so-tay/dinh-chinh/<int:request_id>/", views.mine_detail, name="mine_detail"),
    path("dinh-chinh/don-vi/<str:code>/", views.queue_page, name="queue"),
    path("dinh-chinh/don-vi/<str:code>/xlsx/", views.queue_export, name="queue_export"),
    path("dinh-chinh/don-vi/<str:code>/nhap/", views.queue_import, name="import"),
    path("dinh-chinh/dang-vien/<int:member_id>/moi/", views.file_for_member, name="file"),
    path("dinh-chinh/<int:request_id>/", views.detail, name="detail"),
    path("dinh-chinh/<int:request_id>/tep/", views.attachment, name="attachment"),
]
