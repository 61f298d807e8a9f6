"""``manage.py open311_services``: the service list as a Markdown table, for docs/open311.md."""

from django.core.management.base import BaseCommand
from django.utils import translation

from fengqiao.open311 import selectors


class Command(BaseCommand):
    help = (
        "Print the Open311 services (the active subcategories) as a Markdown table: service_code, "
        "name, English name, default department, time limit, and the attributes a request asks for."
    )

    def handle(self, *args, **options):
        with translation.override("en"):
            self.stdout.write(service_table())


def service_table() -> str:
    lines = [
        "| service_code | service_name | English | department (agency) | time limit | attributes |",
        "|---|---|---|---|---|---|",
    ]
    for service in selectors.services().prefetch_related("open311_attributes"):
        attributes = ", ".join(
            f"`{attribute.code}`{'*' if attribute.required else ''}"
            for attribute in service.open311_attributes.all()
            if attribute.variable
        )
        lines.append(
            f"| {service.code} | {service.name} | {service.name_en} | {service.department.code} "
            f"{service.department.name} | {service.limit_label} | {attributes} |"
        )
    return "\n".join(lines)
