"""Install the default service attributes (fengqiao/open311/attributes.py): the building and
floor of a broken lift, the kind of fire hazard, and a few more."""

from django.db import migrations


def install(apps, schema_editor):
    from fengqiao.open311.attributes import install_attributes

    install_attributes(
        attribute_model=apps.get_model("open311", "ServiceAttribute"),
        subcategory_model=apps.get_model("taxonomy", "Subcategory"),
    )


class Migration(migrations.Migration):
    dependencies = [("open311", "0001_initial"), ("taxonomy", "0002_install_default_taxonomy")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
