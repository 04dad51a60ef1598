"""Finding subjects by any part of their name (docs/adr/0006-substring-name-search.md): the match
by query length, the region scope, the ranking, the pages, the audit row, and the index each
engine keeps in step with the subjects table."""

from __future__ import annotations

import pytest
from django.db import connection

from rongxin.conftest import client_for, make_id_number, make_organisation, make_person
from rongxin.core import clock
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Subject
from rongxin.subjects.selectors import BIGRAM_TABLE, FTS_TABLE, name_filter, subject_search, subject_search_page

pytestmark = pytest.mark.django_db

YONGTAI = "荣成市永泰水产品加工有限公司"


def _names(found: list[Subject]) -> list[str]:
    return [s.name for s in found]


@pytest.mark.parametrize("query", ["永泰", "水产", "永泰水产", "水产品加工", "加工有限公司", YONGTAI])
def test_any_part_of_two_characters_or_more_finds_the_name(tree, staff, query):
    # given an enterprise in town A and one without the words
    org = make_organisation(tree.village_a1, name=YONGTAI)
    make_organisation(tree.village_a1, name="荣成市正信渔具有限公司")
    # when a town A officer searches the middle of its name
    found = client_for(staff["town_a_officer"]).get("/api/v1/subjects/search", {"q": query}).json()
    # then the enterprise is found, and only it
    assert [s["id"] for s in found] == [org.pk]


def test_another_towns_subject_is_not_found(tree, staff):
    # given the same trade name in town A and in town B
    a = make_organisation(tree.village_a1, name=YONGTAI)
    b = make_organisation(tree.village_b1, name="荣成市永泰水产有限公司")

    # when the officer of town A, of village A2 and of the county search for it
    def ids(who: str, q: str) -> list[int]:
        return [s.pk for s in subject_search(actor=staff[who], query=q)]

    # then each finds only what lies in their region
    assert ids("town_a_officer", "永泰") == [a.pk]
    assert ids("town_a_officer", "永泰水产") == [a.pk]
    assert ids("village_a2_officer", "永泰") == []
    assert ids("village_a2_officer", "永泰水产") == []
    assert ids("county_office", "永泰水产") == [a.pk, b.pk]


def test_results_rank_exact_then_prefix_then_substring(tree, staff):
    # given names that contain the query exactly, at their start and in their middle
    make_organisation(tree.village_a1, name="老王海鲜店", kind="individual_business")
    make_organisation(tree.village_a1, name="海鲜店", kind="individual_business")
    make_organisation(tree.village_a2, name="海鲜店石岛分店", kind="individual_business")
    make_organisation(tree.village_a2, name="阿强海鲜店", kind="individual_business")
    make_person(tree.village_a1, name="张海鲜")  # "海鲜" but not "海鲜店"
    # when a three-character and a two-character search are made
    three = subject_search(actor=staff["town_a_officer"], query="海鲜店")
    two = subject_search(actor=staff["town_a_officer"], query="海鲜")
    # then exact comes first, prefixes next, then the rest, each by name
    assert _names(three) == ["海鲜店", "海鲜店石岛分店", "老王海鲜店", "阿强海鲜店"]
    assert _names(two) == ["海鲜店", "海鲜店石岛分店", "张海鲜", "老王海鲜店", "阿强海鲜店"]


def test_one_character_finds_names_that_start_with_it(tree, staff):
    # given a person whose surname is the character and an enterprise with it inside its name
    person = make_person(tree.village_a1, name="荣小明")
    make_organisation(tree.village_a1, name="石岛荣华渔具有限公司")
    # when one character is searched
    found = subject_search(actor=staff["town_a_officer"], query="荣")
    # then only the name that starts with it is found (a surname search, as before)
    assert [s.pk for s in found] == [person.pk]


def test_latin_names_are_found_whatever_the_case(tree, staff):
    # given a foreign resident registered under a Latin name
    person = make_person(tree.village_a1, name="John Smith")
    # when searched in lower case, two and three letters and more
    found = {q: [s.pk for s in subject_search(actor=staff["town_a_officer"], query=q)] for q in ("sm", "smith", "n s")}
    # then the person is found each time
    assert found == {"sm": [person.pk], "smith": [person.pk], "n s": [person.pk]}


def test_id_numbers_and_codes_are_still_exact_lookups(tree, staff):
    # given a person and an enterprise
    number = make_id_number()
    person = make_person(tree.village_a1, name="王五", id_number=number)
    org = make_organisation(tree.village_a1, name=YONGTAI)
    # when their full numbers are searched
    by_id = subject_search_page(actor=staff["town_a_officer"], query=number)
    by_uscc = subject_search_page(actor=staff["town_a_officer"], query=org.uscc)
    # then each is found by its number
    assert ([s.pk for s in by_id.results], by_id.match) == ([person.pk], "id_number")
    assert ([s.pk for s in by_uscc.results], by_uscc.match) == ([org.pk], "uscc")


def test_results_come_in_pages(tree, staff):
    # given five shops with the same word
    for name in ("甲便利店", "乙便利店", "丙便利店", "丁便利店", "戊便利店"):
        make_organisation(tree.village_a1, name=name, kind="individual_business")
    # when they are read two a page
    pages = [subject_search_page(actor=staff["town_a_officer"], query="便利店", page=n, per_page=2) for n in (1, 2, 3)]
    # then every shop is on exactly one page, and only the last page has no next
    assert [_names(p.results) for p in pages] == [["丁便利店", "丙便利店"], ["乙便利店", "戊便利店"], ["甲便利店"]]
    assert [(p.has_previous, p.has_next) for p in pages] == [(False, True), (True, True), (True, False)]


def test_a_page_below_one_is_refused(tree, staff):
    # when the API is asked for page 0
    response = client_for(staff["town_a_officer"]).get("/api/v1/subjects/search", {"q": "永泰", "page": 0})
    # then it is a clear problem, and nothing was searched or logged
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "bad_page"
    assert AuditEvent.objects.filter(action="subject.search").count() == 0


def test_the_page_links_to_the_next_page_of_results(tree, staff):
    # given 51 matching shops in the officer's village
    for n in range(51):
        make_organisation(tree.village_a1, name=f"便利店{chr(0x4E00 + n)}", kind="individual_business")
    client = client_for(staff["village_a1_officer"])
    # when the search page is opened, then its second page
    first = client.get("/subjects/", {"q": "便利店", "purpose": "record"}).content.decode()
    second = client.get("/subjects/", {"q": "便利店", "purpose": "record", "page": 2}).content.decode()
    # then the first links to the second, which shows the 51st shop and links back
    assert 'href="?q=%E4%BE%BF%E5%88%A9%E5%BA%97&amp;purpose=record&amp;page=2">下一页</a>' in first
    assert "共 50 条结果 · 第 1 页" in first
    assert f"便利店{chr(0x4E00 + 50)}" not in first
    assert f"便利店{chr(0x4E00 + 50)}" in second
    assert 'href="?q=%E4%BE%BF%E5%88%A9%E5%BA%97&amp;purpose=record&amp;page=1">上一页</a>' in second
    assert "共 1 条结果 · 第 2 页" in second
    assert "下一页" not in second


def test_a_search_is_logged_with_its_purpose_but_never_its_text(tree, staff):
    # given an enterprise
    make_organisation(tree.village_a1, name=YONGTAI)
    # when a town A officer searches the search page for it, to record an entry
    client_for(staff["town_a_officer"]).get("/subjects/", {"q": "永泰", "purpose": "record"})
    # then one read is logged: how it matched, with the purpose, without the words searched
    event = AuditEvent.objects.get(action="subject.search")
    assert (event.actor_name, event.actor_role, event.kind, event.purpose) == (
        "town_a_officer",
        "town_officer",
        AuditEvent.Kind.READ,
        "记录信用信息",
    )
    assert event.details == {
        "query_kind": "name",
        "match": "bigram",
        "page": 1,
        "results": 1,
        "purpose_code": "record",
    }
    assert "永泰" not in repr(event.details)


@pytest.mark.parametrize(
    ("query", "match"), [("永", "prefix"), ("永泰", "bigram"), ("永泰水", "trigram"), ("永泰水产品", "trigram")]
)
def test_the_match_follows_the_query_length(tree, staff, query, match):
    # when a name of each length is searched
    found = subject_search_page(actor=staff["county_office"], query=query)
    # then it is matched as designed
    assert found.match == match


# --- The indexes each engine keeps -----------------------------------------------------------
def _plan(sql: str, params: tuple) -> str:  # type: ignore[type-arg]
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # the test table is tiny
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_postgresql_has_trigram_and_bigram_indexes_that_serve_the_search(tree):
    # given the schema as migrated
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('subject_name_trgm', 'subject_name_bigram')"
            " ORDER BY indexname"
        )
        indexes = cur.fetchall()
    # then the name has a GIN trigram index and a GIN index of its character pairs
    assert indexes == [
        (
            "subject_name_bigram",
            "CREATE INDEX subject_name_bigram ON public.subjects_subject USING gin (subjects_name_bigrams((name)::text))",
        ),
        (
            "subject_name_trgm",
            "CREATE INDEX subject_name_trgm ON public.subjects_subject USING gin (name gin_trgm_ops)",
        ),
    ]
    # and the search's name filters can use them
    three = name_filter(Subject.objects.all(), "永泰水产", "trigram").query.sql_with_params()
    two = name_filter(Subject.objects.all(), "永泰", "bigram").query.sql_with_params()
    assert "Bitmap Index Scan on subject_name_trgm" in _plan(*three)
    assert "Bitmap Index Scan on subject_name_bigram" in _plan(*two)


@pytest.mark.parametrize(
    ("name", "pairs"),
    [("荣成市永泰", ["市永", "成市", "永泰", "荣成"]), ("Ann Li", [" l", "an", "li", "n ", "nn"]), ("张", [])],
)
def test_a_name_is_cut_into_its_character_pairs(tree, name, pairs):
    # given a subject
    subject = Subject.objects.create(
        kind="person", name=name, village=tree.village_a1, town=tree.town_a, created_at=clock.now()
    )
    # then its lower-cased character pairs are what the two-character index holds
    assert _pairs(subject.pk) == pairs


def _pairs(subject_id: int) -> list[str]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT unnest(subjects_name_bigrams(name)) AS g FROM subjects_subject WHERE id = %s ORDER BY g",
                [subject_id],
            )
        else:
            cur.execute(f"SELECT gram FROM {BIGRAM_TABLE} WHERE subject_id = %s ORDER BY gram", [subject_id])  # noqa: S608
        return sorted(row[0] for row in cur.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 and pair tables are SQLite's")
def test_sqlite_keeps_the_trigram_and_pair_tables_in_step_with_the_subjects(tree):
    def matching(q: str) -> list[int]:
        with connection.cursor() as cur:
            cur.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rowid", [f'"{q}"'])  # noqa: S608
            return [row[0] for row in cur.fetchall()]

    # given a subject inserted
    subject = Subject.objects.create(
        kind="enterprise", name="荣成市永泰", village=tree.village_a1, town=tree.town_a, created_at=clock.now()
    )
    assert (matching("永泰"), matching("市永泰"), _pairs(subject.pk)) == (
        [],
        [subject.pk],
        ["市永", "成市", "永泰", "荣成"],
    )
    # when it is renamed, then the old name is gone and the new one found
    Subject.objects.filter(pk=subject.pk).update(name="海通物流")
    assert (matching("市永泰"), matching("海通物"), _pairs(subject.pk)) == ([], [subject.pk], ["海通", "物流", "通物"])
    # when it is deleted, then nothing is left of it
    Subject.objects.filter(pk=subject.pk).delete()
    assert (matching("海通物"), _pairs(subject.pk)) == ([], [])
    # and the trigram table's index agrees with its content (raises if not)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
        cur.execute(f"SELECT count(*) FROM {BIGRAM_TABLE}")  # noqa: S608
        assert cur.fetchone() == (0,)
