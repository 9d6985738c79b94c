"""URLs of the test archive: HyperKitty's own URLconf, as its test project mounts it."""
from django.urls import include, path

urlpatterns = [
    path("", include("hyperkitty.urls")),
    path("", include("django_mailman3.urls")),
    path("accounts/", include("allauth.urls")),
]
