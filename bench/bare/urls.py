from django.urls import path

from bare.api import api

urlpatterns = [path("api/v1/", api.urls)]
