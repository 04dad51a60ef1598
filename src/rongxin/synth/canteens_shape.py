"""The shape of the synthetic canteens (暖心食堂): the programme's figures at scale 1.0 and the
word lists the generator draws from."""

from __future__ import annotations

import random

# 472 canteens open in 910 villages (52%), about 15,000 elders, +100 canteens a year, target 80%.
OPEN_CANTEENS = 472
BASE_VILLAGES = 910
ELDERS = 15_000
LEFT_SHARE = 0.07  # of the enrolments, elders who left since
BUILD_PLAN = 100
TARGET_PERCENT = 80
MIN_NOT_OPEN = 3  # planned, building or paused, even at a small scale
YEARS = 3  # of daily counts
MEAL_DAYS = 90  # of per-elder meals, up to yesterday
MISSING_DAY_SHARE = 0.015
DELIVERY_SHARE = 0.12
DIET_SHARE = 0.22
FAMILY_CONSENT_SHARE = 0.3
ELDER_MIN_AGE = 60

BUILD_COST = 90_000
COUNTY_SHARE = 20_000

# (weekdays, weight): most canteens serve five or six days; a few seven; a few only four.
MEAL_WEEKDAYS: tuple[tuple[tuple[int, ...], int], ...] = (
    ((0, 1, 2, 3, 4), 62),
    ((0, 1, 2, 3, 4, 5), 22),
    ((0, 1, 2, 3, 4, 5, 6), 12),
    ((0, 1, 2, 3), 4),
)

DIETS = ("低盐", "低糖", "软食", "少油", "不吃辣", "素食", "低盐、软食", "不吃海鲜")
RELATIONS = ("儿子", "女儿", "儿媳", "女婿", "孙子", "孙女", "配偶")
GIVEN = ("建国", "秀英", "海涛", "丽华", "志强", "桂芳", "明", "静", "军", "红梅", "文斌", "晓燕")
LEFT_REASONS = ("随子女外出居住", "入住养老院", "本人申请退出", "迁居外村")

COOKS_PER_CANTEEN = (3, 7)
CERT_ISSUERS = ("荣成市疾病预防控制中心", "{town}卫生院")
COURSES = (
    ("食品安全基础知识培训", "荣成市市场监督管理局", "3.0"),
    ("厨房卫生与消毒规范", "{town}卫生院", "2.0"),
    ("食品留样与加工操作规范", "荣成市市场监督管理局", "2.5"),
    ("老年人营养膳食搭配", "荣成市卫生健康局", "2.0"),
)

# (item, unit, yuan per unit, quantity range)
GOODS = (
    ("大米", "公斤", 6, (50, 500)),
    ("面粉", "公斤", 5, (50, 400)),
    ("食用油", "桶", 75, (2, 20)),
    ("鸡蛋", "公斤", 12, (10, 60)),
    ("蔬菜", "公斤", 4, (20, 200)),
    ("牛奶", "箱", 60, (5, 30)),
    ("海带", "公斤", 10, (10, 50)),
)
OTHER_DONORS_PERSON = ("在外乡贤 {s}先生", "爱心人士 {s}女士")
OTHER_DONORS_ORG = ("荣成市慈善总会", "荣成市红十字会", "荣成市老年协会")

CLINIC_PROVIDERS = (
    ("hospital", "荣成市人民医院", "量血压、测血糖、健康咨询", "内科 {s}医生、护士 {t}"),
    ("hospital", "{town}卫生院", "义诊、慢病随访", "全科 {s}医生"),
    ("hospital", "荣成市中医医院", "中医理疗、义诊", "中医科 {s}医生"),
    ("health", "荣成市卫生健康局", "健康讲座、家庭医生签约", "家庭医生团队 {s}医生"),
    ("civil_affairs", "荣成市民政局", "养老政策咨询、高龄补贴核查", "养老服务科 {s}科长"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高"


def seeded(seed: int, part: str, index: int = 0) -> random.Random:
    return random.Random(f"rongxin-synth:{seed}:canteens:{part}:{index}")
