"""The shape of the synthetic project marketplace (项目超市), small wishes (微心愿) and charity
ceremonies (公益典礼): the figures at scale 1.0 and the word lists the generator draws from.
Amounts in whole yuan; durations in days."""

from __future__ import annotations

import random

YEARS = 3  # the year before last, last year and this year
PROJECTS_A_YEAR = (350, 400, 450)  # at scale 1.0, oldest year first
CEREMONY_BATCH = 60  # projects each year's ceremony launches (at scale 1.0)
CEREMONY_DAY = (3, 26)  # late March, 09:30–11:30 county time
# Publishers: (kind, weight). Institutes are the towns', stations the villages'.
PUBLISHERS = (("centre", 15), ("institute", 35), ("station", 35), ("department", 15))
# Categories weighted as the county's needs are: care of the elderly and children first.
CATEGORIES = (
    ("elderly", 26),
    ("children", 20),
    ("hardship", 12),
    ("disability", 9),
    ("community", 12),
    ("health", 8),
    ("culture", 7),
    ("environment", 6),
)
# Budgets: a log-normal around ¥6,800 (most between ¥5,000 and ¥50,000), within the range; some
# flagship projects of ¥60,000–¥300,000 (most title-sponsored by one enterprise).
BUDGET_MEDIAN, BUDGET_SIGMA = 6_800, 0.6
BUDGET_RANGE = (2_000, 300_000)
FLAGSHIP_SHARE = 0.008
FLAGSHIP = (60_000, 300_000)
# Fates: never fully pledged (withdrawn once old, still published while recent), or claimed.
UNCLAIMED_SHARE = 0.3
DRAFT_DAYS = 14  # projects created in the last two weeks may still be drafts
DRAFT_SHARE = 0.5  # of those
WITHDRAW_AFTER = 120  # days without a full claim before an unclaimed project is withdrawn
TITLE_SHARE = 0.3  # of the claimed ones, one sponsor takes the whole budget (冠名)
SPONSORS_A_PROJECT = (2, 6)  # otherwise
ENTERPRISE_MONEY_SHARE = (0.6, 0.9)  # of a shared budget, pledged by enterprises
PERSON_PLEDGE = (100, 2_000)  # a resident's share
ANONYMOUS_SHARE = 0.12
WITHDRAWN_PLEDGE_SHARE = 0.08  # of published projects with a pledge that was withdrawn
# Timeline (days): publish after creation, pledges spread after publishing, payment after the
# pledge, start after the claim, duration, acceptance, settlement.
PUBLISH_AFTER = (1, 10)
PLEDGES_OVER = (3, 60)
PAY_AFTER = (1, 14)
START_AFTER = (3, 20)
DURATION = (20, 150)
ACCEPT_AFTER = (5, 25)
CLOSE_AFTER = (3, 30)
SPENT_SHARE = (0.82, 1.0)  # of what was raised, by the end of the work
SPENDINGS = (1, 4)
MILESTONES = (2, 4)
ACTIVITIES_LINKED = (0, 3)
# Left-overs: returned to the (title) sponsor, moved to the village's credit fund (when the funds
# were generated and the month is open), or moved to another project still under way.
SETTLE_TO_PROJECT = 0.2
SETTLE_TO_FUND = 0.5  # of the rest, when possible
# Small wishes: ≈ 3,000 over three years at scale 1.0.
WISHES_A_YEAR = (850, 1_000, 1_150)
WISH_CEILING = (50, 3_000)
WISH_FATES = (("confirmed", 70), ("fulfilled", 5), ("claimed", 6), ("open", 9), ("withdrawn", 10))
WISH_ORG_SHARE = 0.35  # claimed by an enterprise or business (else a resident)
CANDIDATES = 300  # consenting adults of a village the sponsors and wishers are drawn from
ADULT_AGE = 18

TITLES = {
    "elderly": ("{place}夕阳红助浴服务", "{place}高龄老人助餐配送", "{place}独居老人智能呼叫设备安装",
                "{place}老年人防诈骗宣传与陪伴", "{place}敬老院适老化改造", "{place}老人理发义剪"),
    "children": ("{place}留守儿童暑期课堂", "{place}爱心书屋图书添置", "{place}困境儿童助学计划",
                 "{place}儿童防溺水安全教育", "{place}四点半课堂"),
    "hardship": ("{place}困难家庭冬季取暖补助", "{place}低保户住房修缮", "{place}大病家庭帮扶",
                 "{place}困难群众春节慰问"),
    "disability": ("{place}残疾人康复器具配置", "{place}残疾人居家无障碍改造", "{place}助残就业技能培训"),
    "community": ("{place}村居文化广场照明改造", "{place}邻里互助微家建设", "{place}村史馆布展",
                  "{place}志愿服务站点提升"),
    "health": ("{place}义诊与健康讲座", "{place}慢病老人健康管理", "{place}急救知识培训与AED配置"),
    "culture": ("{place}村晚文艺汇演", "{place}全民健身器材更新", "{place}渔家文化传承活动"),
    "environment": ("{place}海岸线垃圾清理", "{place}垃圾分类宣传与设施", "{place}村庄绿化补植"),
}  # fmt: skip
NEEDS = {
    "elderly": "辖区内 80 岁以上及独居老人较多，日常起居、就餐和洗浴存在困难，需要定期上门服务。",
    "children": "辖区留守儿童较多，课余和假期缺少看护与学习辅导，需要志愿者陪伴和学习物资。",
    "hardship": "部分低保、特困家庭生活困难，住房与取暖条件较差，需要社会力量帮扶。",
    "disability": "辖区残疾人康复与出行需求较多，现有器具和设施不足，需要配置与改造。",
    "community": "村居公共活动场所设施老旧，群众议事和文化活动缺少场地，需要改造提升。",
    "health": "群众看病就医不便，慢性病老人缺乏日常健康管理和急救知识。",
    "culture": "群众文化生活需求旺盛，缺少组织和器材，需要开展文体活动。",
    "environment": "村庄及海岸环境卫生需要长期维护，群众环保意识有待提高。",
}
BENEFICIARIES = {
    "elderly": ("高龄及独居老人", (20, 120)),
    "children": ("留守及困境儿童", (15, 80)),
    "hardship": ("低保及特困家庭", (5, 40)),
    "disability": ("残疾人及其家庭", (5, 30)),
    "community": ("村居群众", (200, 1_500)),
    "health": ("慢性病老人及群众", (50, 300)),
    "culture": ("村居群众", (200, 1_000)),
    "environment": ("村居群众", (300, 2_000)),
}
TEAM_KINDS = {
    "elderly": "service", "children": "education", "hardship": "service", "disability": "service",
    "community": "service", "health": "medical", "culture": "culture", "environment": "environment",
}  # fmt: skip
MILESTONE_TITLES = ("前期走访与需求确认", "物资采购与准备", "集中服务实施", "回访与总结")
MILESTONE_REPORTS = (
    "已完成入户走访，逐户登记需求，形成服务清单。",
    "物资已采购到位并登记入库，凭证齐全。",
    "志愿服务队按计划开展服务，群众反响良好。",
    "已完成回访，整理服务台账和照片，形成总结。",
)
SPENDING_PURPOSES = ("服务物资采购", "志愿者交通与餐食补贴", "设备购置与安装", "宣传材料印制", "场地布置")
COMPLETION = "项目按计划实施完毕，服务对象 {n} 人（户），志愿者累计服务 {h} 小时，资金使用明细已公示。"
ACCEPTANCES = (
    "经现场查看和入户回访，项目完成情况与计划一致，资金使用规范，同意验收。",
    "项目成效明显，服务对象满意，账目清楚，准予验收。",
)
FEEDBACK = (
    "志愿者上门服务很周到，感谢党和政府，感谢爱心企业！",
    "孩子们有了学习的地方，家长们都很满意。",
    "以前冬天屋里冷，现在暖和多了，谢谢大家。",
    "服务很及时，希望以后常来。",
)
WITHDRAW_REASON = "长期无人认领，发布单位撤回"
CLOSE_REASON = "项目已验收，结余资金已处理"
# The publisher's note on each settlement of a left-over (``Settlement.note``; the entry's memo is
# written from it as ``settlement_record`` writes it).
SETTLE_NOTES = {
    "return": "项目已验收，结余资金按认捐退还",
    "project": "经发布单位同意，结余资金转入同类在建项目",
    "fund": "经发布单位同意，结余资金转入信用基金",
}
WISHES = {
    "study": (("一套学习用具", 50, 300), ("一台学习用台灯", 80, 300), ("一辆上学用自行车", 300, 800),
              ("一台学习平板", 1_000, 3_000)),
    "daily": (("一床冬被", 150, 500), ("一台电暖器", 200, 600), ("一袋米和一桶油", 80, 200),
              ("一台洗衣机", 1_000, 2_500)),
    "health": (("一副老花镜", 50, 200), ("一台血压计", 100, 300), ("一辆轮椅", 400, 1_500),
               ("一副助听器", 800, 3_000)),
    "home": (("修好漏雨的屋顶", 500, 3_000), ("换一扇防盗门", 800, 2_500), ("安装一个热水器", 600, 2_000)),
    "company": (("有人陪我去一次县城", 50, 200), ("一次全家福拍摄", 100, 500), ("每周有人来聊聊天", 50, 150)),
}  # fmt: skip
WISH_STORIES = (
    "家中老人年事已高，子女在外打工，生活有些不便。",
    "孩子在镇上读书，家庭收入不高，想圆孩子一个小心愿。",
    "身体不太好，行动不便，希望得到一点帮助。",
    "家里条件困难，村里帮忙登记了这个心愿。",
)
WISH_NOTES = ("已送到家中并帮助安装调试", "已当面交付，老人很高兴", "已送达，并合影留念")
WISH_THANKS = ("谢谢好心人！", "东西很好用，感谢！", "非常感谢，心里暖暖的。")
WISH_WITHDRAW = "家人已解决，撤回心愿"


def seeded(seed: int, part: str, index: int = 0) -> random.Random:
    return random.Random(f"rongxin-synth:{seed}:projects:{part}:{index}")


def scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale))
