from django.db import migrations

# Starter recording departments of a county; the credit office adds more in the admin.
DEPARTMENTS = [
    ("credit_office", "县社会信用体系建设办公室"),
    ("civilization_office", "县文明办"),
    ("traffic_police", "公安交警大队"),
    ("public_security", "公安局"),
    ("market_regulation", "市场监督管理局"),
    ("tax", "税务局"),
    ("human_resources", "人力资源和社会保障局"),
    ("civil_affairs", "民政局"),
    ("environment", "生态环境分局"),
    ("urban_management", "综合行政执法局"),
    ("court", "人民法院"),
    ("water_supply", "自来水公司"),
    ("power_supply", "供电公司"),
    ("gas_heating", "燃气热力公司"),
    ("volunteer_federation", "志愿服务联合会"),
]


def add(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
