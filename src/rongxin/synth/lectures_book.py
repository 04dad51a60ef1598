"""The sayings book of the synthetic county: the book area's ``data/sample_book.yaml`` when it is
there (the demo's short sample book), otherwise about fifty sayings generated here from neutral
civic themes (honesty, neighbourliness, clean villages, filial care, ...), each with a readable
plain-language interpretation and a local case. Deterministic: no randomness at all."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from rongxin.lectures.models import Book, Saying

SAMPLE_BOOK = Path(__file__).resolve().parent.parent / "lectures" / "data" / "sample_book.yaml"
TITLE = "荣成市新时代文明实践金句读本"
PREFACE = (
    "这本读本收录了群众身边的五十句金句，每句都配有通俗的解读和本地的事例，"
    "供宣讲员在田间地头、渔港码头、集市广场和食堂饭前一刻钟讲给大家听。"
)

# (topic tag, [sayings]): ten themes of five sayings each.
THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "诚实守信",
        (
            "人无信不立，家无信不和，业无信不兴。",
            "一诺千金，说到就要做到。",
            "诚信是最好的名片，信用是最硬的本钱。",
            "守信的人走遍天下，失信的人寸步难行。",
            "借钱按时还，做事不糊弄。",
        ),
    ),
    (
        "邻里和睦",
        (
            "远亲不如近邻，近邻不如对门。",
            "邻里多一分谦让，村里多一分和气。",
            "有事好商量，吵架解决不了问题。",
            "你帮我一把，我扶你一程。",
            "各家门前扫干净，邻里之间少纠纷。",
        ),
    ),
    (
        "美丽乡村",
        (
            "垃圾分一分，村庄美十分。",
            "门前屋后净，家家户户亮。",
            "绿水青山就在咱家门口。",
            "不乱扔、不乱堆、不乱排，村庄才是好家园。",
            "爱护海岸线，就是爱护咱的饭碗。",
        ),
    ),
    (
        "孝老爱亲",
        (
            "百善孝为先，常回家看看。",
            "父母在，家就在；老人笑，全家安。",
            "一碗热饭，是最暖的孝心。",
            "孝顺不在嘴上，在一日三餐里。",
            "今天你敬老，明天人敬你。",
        ),
    ),
    (
        "勤俭节约",
        (
            "一粥一饭当思来之不易。",
            "光盘行动，从我做起。",
            "红白喜事简办，人情往来轻松。",
            "勤劳致富，节俭持家。",
            "省下的每一分，都是留给孩子的底气。",
        ),
    ),
    (
        "遵纪守法",
        (
            "法律是底线，道德是高线。",
            "遇事找法，解决问题靠法。",
            "红灯停绿灯行，安全出行一辈子。",
            "不信谣不传谣，网上也有规矩。",
            "守法经营，生意才能长久。",
        ),
    ),
    (
        "志愿服务",
        (
            "赠人玫瑰，手有余香。",
            "有一分热，发一分光。",
            "志愿服务在身边，人人都是志愿者。",
            "帮别人就是帮自己。",
            "小事见真情，点滴汇成河。",
        ),
    ),
    (
        "平安建设",
        (
            "防火防电防煤气，平安就在细节里。",
            "出海前看天气，安全返航是第一。",
            "陌生电话多个心眼，转账之前问一问。",
            "平安不是喊出来的，是一点一滴做出来的。",
            "家家讲安全，村村保平安。",
        ),
    ),
    (
        "移风易俗",
        (
            "婚事新办，不比排场比幸福。",
            "丧事简办，厚养薄葬。",
            "不要天价彩礼，要和美日子。",
            "文明新风进万家，陈规陋习要放下。",
            "比学习比贡献，不比吃喝不比阔。",
        ),
    ),
    (
        "家风家教",
        (
            "家是最小国，国是千万家。",
            "好家风是留给孩子最好的财富。",
            "言传不如身教，父母是孩子的第一任老师。",
            "耕读传家久，诗书继世长。",
            "一家和睦一家兴，家家和睦村村兴。",
        ),
    ),
)

CASES = (
    "石岛一位渔民多年坚持按时还贷，被评为信用户，贷款利率也更低了。",
    "俚岛镇一个村的老党员带头调解邻里纠纷，村里几年没有上访。",
    "成山镇的志愿者每周清理海滩垃圾，游客都说海边变美了。",
    "人和镇一户人家三代同堂，年轻人每天给老人送饭，被评为文明家庭。",
    "崖头街道的暖心食堂推行光盘行动，一年节约粮食上千斤。",
)


def generated_book() -> dict[str, Any]:
    """The book data in the import format: ``{title, preface, sayings: [{key, text,
    interpretation, tags, cases}]}``."""
    sayings = []
    n = 0
    for theme, texts in THEMES:
        for i, text in enumerate(texts):
            n += 1
            interpretation = (
                f"“{text}”这句话讲的是{theme}。说的是咱们过日子、干事情的老道理："
                f"一个人、一个家、一个村，都离不开{theme}。"
                f"在家里，它体现在一言一行；在村里，它体现在红白喜事、邻里往来和公共事务中。"
                f"宣讲时可以先请大家说说身边的例子，再讲这句话的意思，最后落到每个人能做的一件小事上。"
            )
            sayings.append(
                {
                    "key": f"S{n:02d}",
                    "text": text,
                    "interpretation": interpretation,
                    "tags": [theme],
                    "cases": CASES[(n + i) % len(CASES)],
                }
            )
    return {"title": TITLE, "preface": PREFACE, "sayings": sayings}


def book_data() -> dict[str, Any]:
    """The book area's sample book when present (the YAML is optional), otherwise the
    generated one."""
    if SAMPLE_BOOK.exists():
        import yaml

        data = yaml.safe_load(SAMPLE_BOOK.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("sayings"):
            return data
    return generated_book()


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def book_publish_rows(*, data: dict[str, Any], published_at: dt.datetime) -> tuple[Book, list[Saying]]:
    """Write a published book of ``data`` (the next version) with its sayings, through the ORM;
    return them."""
    last = Book.objects.order_by("-version").values_list("version", flat=True).first() or 0
    book = Book.objects.create(
        title=str(data.get("title") or TITLE)[:100],
        version=last + 1,
        status=Book.Status.PUBLISHED,
        preface=str(data.get("preface") or ""),
        created_at=published_at - dt.timedelta(days=14),
        published_at=published_at,
        content_hash=content_hash(data),
    )
    sayings = Saying.objects.bulk_create(
        [
            Saying(
                book=book,
                key=str(s.get("key") or f"S{n:02d}")[:12],
                number=n,
                text=str(s["text"])[:200],
                interpretation=str(s.get("interpretation") or s["text"]),
                tags=list(s.get("tags") or []),
                cases="\n".join(s["cases"]) if isinstance(s.get("cases"), list) else str(s.get("cases") or ""),
            )
            for n, s in enumerate(data["sayings"], start=1)
        ]
    )
    return book, list(Saying.objects.filter(book=book).order_by("number")) if sayings else []
