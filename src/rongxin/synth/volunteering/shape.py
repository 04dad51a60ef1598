"""The synthetic county's volunteering in numbers and names: how much of it there is at scale
1.0, the teams of each tier, activity lengths, skills, reasons, and the participation outcomes
(with their shares) that :mod:`~rongxin.synth.volunteering.activities` draws."""

from __future__ import annotations

import datetime as dt
import itertools

BASE_VOLUNTEERS = 170_000
ACTIVITIES_PER_MONTH = 3_000
MONTHS = 36
DAYS = MONTHS * 365 // 12  # 1,095 days of past activities
UPCOMING_DAYS = 14  # published activities ahead, some already taking sign-ups
PARTICIPANTS = (8, 58)  # uniform: 33 on average, so 3,000 activities bring ~100,000 participations
BASE_DEPARTMENT_TEAMS = 30
BASE_URBAN_TEAMS = 50
VILLAGE_TEAM_SHARE = 0.25
CANCELLED_SHARE = 0.02
FULL_SHARE = 0.08  # activities with more applicants than places (a waiting list)
GEOFENCE_SHARE = 0.5
CHUNK_VOLUNTEERS = 5_000
DEPARTMENT = "volunteer_federation"  # who records hours awards (as the closing service does)
CORRECTION_MIN_AGE = dt.timedelta(days=21)  # a record is corrected within three weeks of closing

# Participation outcomes (4 bits of the packed participation).
ATTENDED, NO_SHOW, CANCELLED, MISSING_OUT, DUPLICATE, ASSISTED, OUTSIDE, CORRECTED, REFUSED, WAITLISTED = range(10)
ATTENDING = frozenset({ATTENDED, DUPLICATE, ASSISTED, OUTSIDE, CORRECTED, REFUSED})
SCANS = {ATTENDED: 2, DUPLICATE: 3, ASSISTED: 2, OUTSIDE: 2, CORRECTED: 2, REFUSED: 2, MISSING_OUT: 1}
OUTCOMES = (ATTENDED, NO_SHOW, CANCELLED, MISSING_OUT, DUPLICATE, ASSISTED, OUTSIDE, CORRECTED, REFUSED)
OUTCOME_CUM = tuple(itertools.accumulate((85.5, 4.0, 3.0, 1.0, 1.5, 2.5, 1.0, 0.3, 0.2)))
OUTCOME_BITS, ACTIVITY_BITS = 4, 24
VOLUNTEER_SHIFT = OUTCOME_BITS + ACTIVITY_BITS

# Teams. Department expert teams: (name, kind, the skill every member has or "", activity types).
DEPARTMENT_TEAMS = (
    ("荣成市人民医院医疗专家志愿服务队", "medical", "medical", ("medical_clinic", "blood_drive")),
    ("荣成市中医院送医下乡志愿服务队", "medical", "medical", ("medical_clinic",)),
    ("荣成市疾控中心防疫志愿服务队", "medical", "medical", ("epidemic_duty", "medical_clinic")),
    ("荣成市律师协会法律援助志愿服务队", "legal", "legal", ("legal_aid",)),
    ("荣成市司法局普法志愿服务队", "legal", "legal", ("legal_aid", "anti_fraud")),
    ("荣成市教育局“红烛”支教志愿服务队", "education", "teaching", ("tutoring", "left_behind_children")),
    ("荣成市消防救援大队应急救援志愿服务队", "emergency", "rescue", ("emergency_rescue", "fire_watch")),
    ("荣成市应急管理局防汛志愿服务队", "emergency", "rescue", ("flood_duty", "emergency_rescue")),
    ("荣成市委宣讲团", "lecture", "lecturing", ("theory_lecture", "policy_outreach")),
    ("荣成市退役军人“红马扎”宣讲队", "lecture", "lecturing", ("red_stool_talk", "theory_lecture")),
    ("荣成市文化馆文艺志愿服务队", "culture", "arts", ("dandelion_theatre", "culture_sports")),
    ("荣成市体育局全民健身志愿服务队", "culture", "sports", ("culture_sports",)),
    ("荣成市公安局反诈宣传志愿服务队", "legal", "", ("anti_fraud", "policy_outreach")),
    ("荣成市交警大队文明交通志愿服务队", "service", "driving", ("traffic_civility",)),
    ("荣成市残联助残志愿服务队", "service", "nursing", ("disability_help", "elderly_care")),
)
# Urban professional teams, sent down to the villages: (name, kind, activity types).
URBAN_TEAMS = (
    ("城区环保志愿服务队", "environment", ("environment_cleanup", "coast_cleanup", "tree_planting")),
    ("“海之韵”净滩志愿服务队", "environment", ("coast_cleanup", "environment_cleanup")),
    ("城区助老志愿服务队", "service", ("elderly_care", "digital_help", "meal_delivery")),
    ("“夕阳红”宣讲队", "lecture", ("theory_lecture", "civilized_customs")),
    ("“红领巾”宣讲队", "lecture", ("policy_outreach", "civilized_customs")),
    ("青年志愿者服务队", "service", ("community_service", "tree_planting", "blood_drive")),
    ("蓝天救援队", "emergency", ("emergency_rescue", "flood_duty", "fire_watch")),
    ("数字助老志愿服务队", "education", ("digital_help", "anti_fraud")),
    ("“蒲公英”文艺志愿服务队", "culture", ("dandelion_theatre", "culture_sports")),
    ("爱心妈妈志愿服务队", "education", ("left_behind_children", "tutoring")),
)
TOWN_SERVICE_TYPES = (
    "community_service", "elderly_care", "environment_cleanup", "policy_outreach", "civilized_customs",
    "traffic_civility", "anti_fraud", "theory_lecture",
)  # fmt: skip
TOWN_TEAMS = (
    ("新时代文明实践志愿服务队", "service", TOWN_SERVICE_TYPES),
    ("暖心食堂志愿服务队", "canteen", ("canteen_cooking", "meal_delivery")),
)
VILLAGE_TEAM = (
    "志愿服务队",
    "service",
    (
        "community_service", "environment_cleanup", "elderly_care", "canteen_cooking", "civilized_customs",
        "culture_sports", "epidemic_duty", "theory_lecture", "digital_help",
    ),
)  # fmt: skip
SQUAD = "二三四五六七八九十"
# Activity length in minutes, by type (default 120); duty shifts are half days.
DURATIONS: dict[str, tuple[int, ...]] = {
    "theory_lecture": (90, 120),
    "red_stool_talk": (90, 120),
    "policy_outreach": (90, 120, 150),
    "canteen_cooking": (180,),
    "meal_delivery": (120, 150),
    "epidemic_duty": (240,),
    "flood_duty": (240,),
    "fire_watch": (240,),
    "emergency_rescue": (180, 240),
    "medical_clinic": (150, 180),
    "dandelion_theatre": (120, 150),
}
# When activities start (county time): mostly mid-morning, some in the early afternoon, never at
# lunch or at night; talks and theatre sometimes at 19:00, after supper. Nothing starts before
# 07:00 or after 20:00 (the tests hold the load to it).
START_SLOTS = (8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60, 14 * 60, 14 * 60 + 30, 15 * 60, 15 * 60 + 30)
START_WEIGHTS = (3, 5, 6, 4, 2, 4, 4, 3, 1)
EVENING_TYPES = frozenset({"theory_lecture", "red_stool_talk", "dandelion_theatre", "policy_outreach"})
ADULT_TYPES = frozenset({"epidemic_duty", "flood_duty", "fire_watch", "emergency_rescue", "meal_delivery"})
PROFESSIONAL = {"medical_clinic": "medical", "legal_aid": "legal", "tutoring": "teaching", "emergency_rescue": "rescue"}
GENERAL_SKILLS = (
    "nursing",
    "cooking",
    "driving",
    "first_aid",
    "arts",
    "sports",
    "it",
    "repair",
    "farming",
    "lecturing",
)
# Professional skills of adults aged 22–65: share of them.
PROFESSIONAL_SKILLS = (("medical", 0.03), ("legal", 0.015), ("teaching", 0.04), ("rescue", 0.02))
AVAILABILITY = ("周末", "工作日白天", "工作日晚上", "周末及节假日", "随时", "")
CANCEL_REASONS = ("台风预警，活动取消", "场地临时调整", "报名人数不足", "疫情防控要求，暂停聚集性活动", "天气原因")
CORRECTION_REASONS = (
    "签退时手机没电，实际服务到活动结束",
    "签到二维码刷新失败，晚签到了半小时",
    "活动结束后留下帮助收拾场地",
)
REFUSAL_REASON = "核对签到记录和现场照片，原记录无误"
ASSIST_REASON = "志愿者未携带手机，由组织者代为登记"
