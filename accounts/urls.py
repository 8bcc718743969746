"""The portal's account pages. Included before allauth's, so the same paths
(/accounts/signup/, /accounts/login/, /accounts/password/reset/) answer with ours."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/signup/", views.signup_choice, name="signup"),
    path("accounts/signup/public/", views.public_signup, name="signup-public"),
    path("accounts/signup/contractor/", views.contractor_signup, name="signup-contractor"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/password/reset/", views.password_reset, name="password-reset"),
    path("accounts/welcome/", views.welcome, name="welcome"),
    path("accounts/setup/", views.account_setup, name="setup"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/contractor/", views.contractor_profile, name="contractor-profile"),
    path(
        "accounts/profile/security-question/",
        views.security_question,
        name="security-question",
    ),
]
