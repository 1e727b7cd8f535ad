from django.db import migrations

CATEGORIES = ["党的创新理论", "党史", "党章党规", "干部工作", "组织工作", "人才工作", "公务员管理", "基层党建"]


def add(apps, schema_editor):
    Category = apps.get_model("exams", "Category")
    for i, name in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"sort_order": i})


class Migration(migrations.Migration):
    dependencies = [("exams", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
