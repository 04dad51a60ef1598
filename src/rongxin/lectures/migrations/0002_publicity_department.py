from django.db import migrations

# The publicity department runs the county's civilization-practice centre and its lectures.
PUBLICITY = ("publicity", "县委宣传部（新时代文明实践中心）")


def add(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    Department.objects.get_or_create(code=PUBLICITY[0], defaults={"name": PUBLICITY[1]})


class Migration(migrations.Migration):
    dependencies = [("lectures", "0001_initial"), ("accounts", "0002_departments")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
