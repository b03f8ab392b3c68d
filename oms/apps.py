from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OmsConfig(AppConfig):
    name = "oms"
    verbose_name = "Platform"

    def ready(self) -> None:
        from oms import navigation
        from oms.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="oms.sync_role_permissions")
        navigation.register_platform_items()
