"""Install or refresh the taxonomy from the project's data file (used by a migration)."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.json"


def read_taxonomy() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def install_taxonomy(*, case_type_model, category_model, subcategory_model, department_model) -> None:
    """Create what is missing; names and limits already edited in admin are left alone."""
    data = read_taxonomy()
    for case_type in data["case_types"]:
        case_type_model.objects.get_or_create(
            code=case_type["code"], defaults={"name": case_type["name"], "name_en": case_type["name_en"]}
        )
    departments = {}
    for department in data["departments"]:
        departments[department["code"]], _ = department_model.objects.get_or_create(
            code=department["code"], defaults={"name": department["name"], "name_en": department["name_en"]}
        )
    for category in data["categories"]:
        category_row, _ = category_model.objects.get_or_create(
            code=category["code"], defaults={"name": category["name"], "name_en": category["name_en"]}
        )
        for sub in category["subcategories"]:
            subcategory_model.objects.get_or_create(
                code=sub["code"],
                defaults={
                    "category": category_row,
                    "name": sub["name"],
                    "name_en": sub["name_en"],
                    "department": departments[sub["department"]],
                    "limit_unit": sub["limit"]["unit"],
                    "limit_count": sub["limit"]["count"],
                },
            )
