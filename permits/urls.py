from django.urls import path, re_path

from permits.views import apply, permit, public

app_name = "permits"

# A permit number as printed, RERF2026-0001, or as typed, rerf20260001.
PERMIT_NUMBER = r"(?P<number>[A-Za-z]{2,6}[0-9]{4}-?[0-9]{4,})"

urlpatterns = [
    path("search/", public.permit_search, name="search"),
    path("apply/", apply.permit_apply, name="apply"),
    re_path(r"^apply/(?P<prefix>[A-Za-z]{2,6})/$", apply.permit_apply_start, name="apply-start"),
    path("applications/<int:pk>/edit/", apply.permit_draft_resume, name="draft-resume"),
    path("applications/<int:pk>/edit/<slug:step>/", apply.permit_draft_step, name="draft-step"),
    path("applications/<int:pk>/submit/", apply.permit_draft_submit, name="submit"),
    path("applications/<int:pk>/delete/", apply.permit_draft_delete, name="draft-delete"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/remove/",
        apply.permit_document_remove,
        name="document-remove",
    ),
    path("mine/", permit.permit_list_mine, name="mine"),
    path("applications/<int:pk>/", permit.permit_detail, name="detail"),
    path("applications/<int:pk>/withdraw/", permit.permit_withdraw, name="withdraw"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        permit.permit_document,
        name="document",
    ),
    path("applications/<int:pk>/permit.pdf", permit.permit_pdf, name="pdf"),
    path(
        "applications/<int:pk>/corrections/",
        permit.permit_corrections_upload,
        name="corrections-upload",
    ),
    path("applications/<int:pk>/resubmit/", permit.permit_resubmit, name="resubmit"),
    re_path(rf"^{PERMIT_NUMBER}/$", public.permit_public, name="public"),
]
