"""URLs of the test forum: Spirit's own URLconf."""
from django.urls import include, path

import spirit.urls

urlpatterns = [path("", include(spirit.urls))]
