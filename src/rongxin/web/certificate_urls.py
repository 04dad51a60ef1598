"""Page routes of service certificates (joined into the ``web`` namespace by ``web/urls.py``).

``certificate_verify`` is the public page that a certificate's QR code opens; its path is fixed
by :func:`rongxin.volunteering.certificates.verify_path` (printed certificates point to it).
"""

from django.urls import URLPattern, path

from rongxin.web import certificate_views

urlpatterns: list[URLPattern] = [
    path("v/certificates/new/", certificate_views.certificate_new, name="certificate_new"),
    path("v/certificates/<str:number>.pdf", certificate_views.certificate_pdf, name="certificate_pdf"),
    path("v/certificates/<str:number>/", certificate_views.certificate_detail, name="certificate_detail"),
    path("v/cert/<str:number>/", certificate_views.certificate_verify, name="certificate_verify"),
]
