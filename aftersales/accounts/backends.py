from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from aftersales.accounts.choices import Role
from aftersales.accounts.roles import CUSTOMER_ONLY_PERMISSIONS, role_permissions


class RoleBackend(ModelBackend):
    """Password authentication, and permissions from the user's role (plus any granted
    individually through Django's own user/group permissions)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = set(role_permissions(user_obj.role)) | super().get_all_permissions(user_obj)
        return user_obj._role_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if getattr(user_obj, "role", None) == Role.ADMINISTRATOR:
            return perm not in CUSTOMER_ONLY_PERMISSIONS
        if obj is None and not user_obj.is_anonymous and perm in role_permissions(user_obj.role):
            return True  # the role's table answers without reading individual grants (2 queries)
        return perm in self.get_all_permissions(user_obj, obj)
