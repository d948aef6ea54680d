from django.contrib import admin

from .models import Category, Post, Profile

admin.site.register(Category, list_display=("name", "slug", "requires_disclosure", "public_interest"))
admin.site.register(Profile, list_display=("user", "standing"))
admin.site.register(Post, list_display=("public_id", "author", "category", "created_at"))
