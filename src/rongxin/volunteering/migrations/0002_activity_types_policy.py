"""The starter activity types (civilization-practice activities, each with the credit rule its
verified hours earn) and the default hours conversion policy. Both are configuration: later
changes are new rows or edits by the county, not code."""

from django.db import migrations
from django.utils import timezone

# code, Chinese name, English name, credit rule, needs accident insurance
TYPES = [
    ("theory_lecture", "理论宣讲", "Theory lecture", "P-VOL-01", False),
    ("policy_outreach", "政策宣传", "Policy outreach", "P-VOL-01", False),
    ("elderly_care", "关爱老人", "Elderly care", "P-VOL-01", False),
    ("canteen_cooking", "暖心食堂做饭帮厨", "Canteen cooking and serving", "P-PRA-03", False),
    ("meal_delivery", "暖心食堂送餐", "Canteen meal delivery", "P-PRA-03", True),
    ("environment_cleanup", "环境卫生整治", "Environmental clean-up", "P-PRA-04", False),
    ("coast_cleanup", "海滩净滩", "Beach clean-up", "P-PRA-04", True),
    ("traffic_civility", "文明交通劝导", "Traffic civility", "P-VOL-01", True),
    ("epidemic_duty", "疫情防控值守", "Epidemic duty", "P-PRA-05", True),
    ("flood_duty", "防汛抗旱值守", "Flood and drought duty", "P-PRA-05", True),
    ("fire_watch", "森林防火巡护", "Forest-fire watch", "P-PRA-05", True),
    ("emergency_rescue", "应急救援", "Emergency rescue", "P-PRA-05", True),
    ("culture_sports", "文化体育活动", "Culture and sports", "P-PRA-10", False),
    ("dandelion_theatre", "蒲公英剧场演出", "Dandelion theatre performance", "P-PRA-10", False),
    ("legal_aid", "法律援助咨询", "Legal aid", "P-VOL-04", False),
    ("medical_clinic", "义诊巡诊", "Medical clinic", "P-VOL-04", False),
    ("tutoring", "课业辅导", "Tutoring", "P-VOL-01", False),
    ("left_behind_children", "关爱留守儿童", "Care for left-behind children", "P-VOL-01", False),
    ("disability_help", "助残服务", "Help for people with disabilities", "P-VOL-01", False),
    ("civilized_customs", "移风易俗宣传", "Reformed customs outreach", "P-VOL-01", False),
    ("tree_planting", "义务植树", "Tree planting", "P-PRA-04", True),
    ("community_service", "社区志愿服务", "Community service", "P-VOL-01", False),
    ("anti_fraud", "反诈宣传", "Anti-fraud outreach", "P-VOL-01", False),
    ("red_stool_talk", "红马扎老兵宣讲", "Red-stool veterans' talk", "P-VOL-01", False),
    ("blood_drive", "无偿献血服务", "Blood-drive service", "P-VOL-01", False),
    ("digital_help", "智能手机帮教", "Smartphone help for elders", "P-VOL-01", False),
]


def forward(apps, schema_editor):
    ActivityType = apps.get_model("volunteering", "ActivityType")
    ConversionPolicy = apps.get_model("volunteering", "ConversionPolicy")
    ActivityType.objects.bulk_create(
        [
            ActivityType(code=c, name_zh=zh, name_en=en, credit_rule_code=rule, risky=risky, order=i)
            for i, (c, zh, en, rule, risky) in enumerate(TYPES, start=1)
        ]
    )
    ConversionPolicy.objects.create(
        effective_year=2000,
        brackets=[[20, 1], [80, 2], [200, 3], [None, 4]],
        yearly_cap_points=100,
        rounding_minutes=30,
        created_at=timezone.now(),
    )


def backward(apps, schema_editor):
    apps.get_model("volunteering", "ActivityType").objects.all().delete()
    apps.get_model("volunteering", "ConversionPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
