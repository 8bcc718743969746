from django.urls import path

from payments import views, webhooks

app_name = "payments"

urlpatterns = [
    path("pay/", views.payment_start, name="start"),
    path("test-checkout/<slug:reference>/", views.test_checkout, name="test-checkout"),
    path("<int:pk>/return/", views.payment_return, name="return"),
    path("<int:pk>/cancel/", views.payment_cancel, name="cancel"),
    path("<int:pk>/receipt/", views.payment_receipt, name="receipt"),
    path("<int:pk>/receipt.pdf", views.payment_receipt_pdf, name="receipt-pdf"),
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe-webhook"),
]
