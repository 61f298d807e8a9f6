from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "fengqiao.analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from fengqiao.org.signals import unit_moved

        from . import rollups

        def move_rollups(sender, *, unit_id: int, old_path: str, new_path: str, **kwargs) -> None:
            rollups.move_unit(unit_id=unit_id, old_path=old_path, new_path=new_path)

        unit_moved.connect(move_rollups, dispatch_uid="analytics.move_rollups", weak=False)
