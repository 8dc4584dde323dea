from django.urls import path

from aftersales.accounts import views

# Not namespaced: settings.LOGIN_URL and LOGOUT_REDIRECT_URL name these "login" / "logout".
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
