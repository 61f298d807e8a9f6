"""Install the default taxonomy (case types, categories, subcategories, departments) from
fengqiao/taxonomy/data/taxonomy.json, so a freshly migrated database can take cases."""

from django.db import migrations


def install(apps, schema_editor):
    from fengqiao.taxonomy.loader import install_taxonomy

    install_taxonomy(
        case_type_model=apps.get_model("taxonomy", "CaseType"),
        category_model=apps.get_model("taxonomy", "Category"),
        subcategory_model=apps.get_model("taxonomy", "Subcategory"),
        department_model=apps.get_model("org", "Department"),
    )


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial"), ("org", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
