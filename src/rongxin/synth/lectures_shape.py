"""The numbers and names of the synthetic lectures (理论宣讲) at scale 1.0."""

from __future__ import annotations

import random

# At scale 1.0 (people counts have a floor so that a small county still has every kind).
LEADERS = 37  # county leaders with one adoption link each; the first two: the Party secretary, the mayor
HEADS = 124  # heads with the bimonthly quota: 44 town heads (two per town), 80 department heads
TOWN_HEADS_SHARE = 44 / 124
VOLUNTEER_SPEAKERS = 50
MEMBERS_PER_TEAM = 3  # team-member speakers per lecture team
DEPARTMENT_TEAMS = 40  # department expert lecture teams (county)
URBAN_TEAMS = 60  # urban professional lecture teams (county)
VILLAGE_TEAMS = 230  # village self-service lecture teams (one town team per town comes on top)
SESSIONS = 10_000  # about this many sessions over three years, almost all closed
LISTENERS_PER_SESSION = 62  # mean checked-in listeners of a closed session (600,000+ at scale 1.0)
MONTHS = 36
OVERDUE_SHARE = 0.025  # of a head's past periods without a lecture
LEADER_EVERY_DAYS = 91  # a leader speaks about once a quarter, two times in three at the link
VOLUNTEER_SESSIONS = 6  # per volunteer speaker over the three years
UNCOVERED_VILLAGES = 6  # villages without a session in the last UNCOVERED_DAYS
UNCOVERED_DAYS = 183
ORDERED_SHARE = 0.3  # of team sessions held for an order (点单)
CANCELLED_SHARE = 0.01  # of team sessions cancelled before they took place
QR_SHARE = 0.85  # of check-ins by the listener's own phone; the rest recorded by the organiser
UPCOMING_SESSIONS = 40  # planned in the next two weeks
# Orders not (yet) held, by final state (at scale 1.0).
OPEN_ORDERS = {"ordered": 30, "dispatched": 30, "accepted": 20, "cancelled": 60, "expired": 40}
DECLINED_SHARE = 0.1  # of dispatched orders declined once (then dispatched again)
TIMED_OUT_SHARE = 0.03  # of dispatched orders not answered in time (then dispatched again)

# Brands per tier: (brand, audience).
DEPARTMENT_BRANDS = (
    ("理论专家", "党员干部"),
    ("法律明白人", "村民"),
    ("农技专家", "种植户"),
    ("健康科普", "老年人"),
    ("金融知识", "个体工商户"),
    ("海洋渔业", "渔民"),
    ("安全生产", "企业职工"),
    ("科普宣讲", "中小学生"),
)
URBAN_BRANDS = (
    ("百姓名嘴", "市民"),
    ("夕阳红", "老年人"),
    ("红领巾", "少年儿童"),
    ("巾帼宣讲", "妇女"),
    ("青年说", "青年"),
    ("红马扎", "退役军人"),
    ("文艺轻骑兵", "群众"),
)
VILLAGE_BRANDS = (
    ("渔嫂宣讲队", "渔民家属"),
    ("夕阳红", "老年人"),
    ("红领巾", "少年儿童"),
    ("老党员", "村民"),
    ("新乡贤", "村民"),
    ("百姓名嘴", "村民"),
)
LEADER_POSITIONS = ("市委书记", "市长", "市委副书记", "市委常委", "副市长", "市人大常委会副主任", "市政协副主席")
AUDIENCES = ("村民", "党员", "老年人", "渔民", "妇女", "青少年", "企业职工", "商户")
RATING_WEIGHTS = ((5, 60), (4, 28), (3, 9), (2, 2), (1, 1))
COMMENTS = {
    5: ("讲得实在，大家都听得懂。", "贴近生活，村民很爱听。", "形式新颖，希望常来。"),
    4: ("内容不错，时间可以再短一点。", "讲得好，案例再多些更好。"),
    3: ("内容一般，互动少了点。", "场地有点吵，听不太清。"),
    2: ("迟到了半小时。", "内容和点单的主题不太一样。"),
    1: ("临时改了时间，很多人没来。",),
}
DECLINE_REASONS = ("当天已有宣讲安排", "宣讲员生病", "路途太远，建议派给镇里的队伍")
CANCEL_REASONS = ("村里临时有事，改期另约", "天气原因取消", "听众人数不足")
ASSISTED_REASON = "老人未带手机，由组织者代为登记"
# (hour, minute, minutes, format): mornings, early afternoons, evenings after supper, and the
# canteen's pre-meal quarter hour.
SLOTS = (
    (9, 0, 90, "talk"),
    (9, 30, 60, "talk"),
    (14, 30, 90, "talk"),
    (15, 0, 120, "theatre"),
    (19, 0, 90, "talk"),
    (11, 15, 20, "pre_meal"),
)
SLOT_WEIGHTS = (30, 15, 25, 10, 12, 8)


def seeded(seed: int, part: str) -> random.Random:
    return random.Random(f"rongxin-synth:{seed}:lectures:{part}")


def scaled(base: int, scale: float, floor: int) -> int:
    return max(floor, round(base * scale))
