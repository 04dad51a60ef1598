"""The shape of the synthetic funds (专项资金 · 信用基金) and quarterly commendations: the figures
at scale 1.0 and the word lists the generator draws from. Amounts in whole yuan."""

from __future__ import annotations

import random

YEARS = 3  # of the county special fund: the year before last, last year and this year
APPROPRIATION = 10_000_000  # a year, into the county special fund
# The county fund's budget lines, summing to the appropriation.
BUDGET = {
    "building": 2_300_000,
    "activities": 2_000_000,
    "canteens": 2_300_000,
    "lectures": 1_000_000,
    "commendations": 2_400_000,
}
TOWN_TRANSFER = 20_000  # a year, to each town's credit fund (commendations line)
VILLAGE_TRANSFER = 2_000  # a year, to each village's credit fund (commendations line)
CANTEEN_GRANT = 20_000  # the county's share of a canteen's build, the year it opened (canteens line)
# Village credit funds: about ¥30 million in all at 910 villages, each keeping ≥ ¥10,000.
VILLAGE_MINIMUM = 10_000
OPENING_WELFARE = (12_000, 26_000)  # merged welfare when the fund opened
YEARLY_WELFARE = (2_000, 6_000)  # merged each January after
DONATIONS_A_YEAR = (0, 3)  # money donations to a village fund
DONATION = (200, 5_000)
TOWN_DONATIONS_A_YEAR = (0, 2)
ANONYMOUS_SHARE = 0.25
SUBJECT_DONOR_SHARE = 0.45  # of the named donors: a resident or business of the place
# Quarterly commendations: names per category (village, town), award kinds, money awards.
PER_CATEGORY_VILLAGE = (1, 3)
PER_CATEGORY_TOWN = (2, 4)
AWARD_KINDS = (("money", 60), ("goods", 25), ("certificate", 15))
AWARD_MONEY = (100, 500)  # in steps of 50
REMOVED_SHARE = 0.1  # of meetings with one name the committee removed
COMMITTEE_SHARE = 0.2  # of names the committee added (the rest drawn from the data)
CANDIDATES = 300  # consenting adults of a place the awards are drawn from
ADULT_AGE = 18

# The county fund's direct spending: (line, memo, entries a year, yuan range).
SPENDING = (
    ("building", "{town}新时代文明实践所建设改造", 8, (150_000, 260_000)),
    ("activities", "文明实践志愿服务活动经费（{month}月）", 12, (120_000, 160_000)),
    ("lectures", "理论宣讲活动经费（第{quarter}季度）", 4, (200_000, 240_000)),
    ("commendations", "县级表彰证书、奖牌制作", 2, (40_000, 70_000)),
)
OUTSIDE_DONORS = ("在外乡贤 {s}先生", "爱心人士 {s}女士", "荣成市慈善总会", "{town}商会")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高"
GOODS = ("大米一袋（10公斤）", "花生油一桶（5升）", "床上用品四件套", "保温杯一个", "电饭煲一台")
REMOVED_REASONS = ("本人申请不参评", "本季度已获镇级表彰", "村民代表会议未通过")
CATEGORY_ZH = {"honest": "诚信者", "volunteer": "志愿者", "doer": "干事者"}
COMMITTEE_REASONS = {
    "honest": "村民代表推荐：诚实守信，邻里口碑好",
    "volunteer": "村民代表推荐：常年义务照顾孤寡老人",
    "doer": "村民代表推荐：带头清理河道、修缮村道",
}


def data_reasons(rng: random.Random, category: str) -> list[dict[str, str]]:
    """Why a name was drawn from the platform's data, as the nomination lists show it."""
    if category == "volunteer":
        return [{"code": "volunteer_hours", "text": f"本季度志愿服务 {rng.randint(16, 80)}.{rng.choice('05')} 小时"}]
    if category == "honest":
        return rng.choice(
            (
                [{"code": "grade_rise", "text": "本季度信用等级由 B 升为 A"}],
                [{"code": "grade_rise", "text": "本季度信用等级由 A 升为 AA"}],
                [{"code": "good_deed", "text": "拾金不昧，归还失物（已记录好人好事）"}],
            )
        )
    return rng.choice(
        (
            [{"code": "canteen_service", "text": f"本季度暖心食堂帮厨 {rng.randint(6, 30)} 次"}],
            [{"code": "lectures", "text": f"本季度参加理论宣讲 {rng.randint(2, 8)} 场"}],
        )
    )


def seeded(seed: int, part: str, index: int = 0) -> random.Random:
    return random.Random(f"rongxin-synth:{seed}:funds:{part}:{index}")
