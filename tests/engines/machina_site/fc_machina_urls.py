"""URLs of the test forum: machina's own URLconf at the site root."""
from django.urls import include, path

urlpatterns = [path("", include("machina.urls"))]
