from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo city: `python manage.py load_demo` builds it from the seed page."""

    name = "fengqiao.demo"
    label = "demo"
    verbose_name = _("Demo data")
