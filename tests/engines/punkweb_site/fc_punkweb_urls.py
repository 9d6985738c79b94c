"""URLs of the test forum: PunkwebBB's own URLconf at the site root, plus Django's admin
(where PunkwebBB's categories and sub-forums get their slugs)."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls), path("", include("punkweb_bb.urls"))]
