"""Every audit action the code writes has words for a person (``code_labels`` in the owning
app's ``apps.py``), found by reading the source: a new ``audit_record(action=...)`` without a
label fails here before anyone sees the raw code on the audit log or "who viewed my file"."""

from __future__ import annotations

import ast
from pathlib import Path

from rongxin.core import registry

SOURCE = Path(__file__).resolve().parents[2]
# The functions whose ``action`` argument becomes AuditEvent.action.
WRITERS = {"audit_record", "step_finish", "_duplicate_refused"}
# Actions built at run time, by their source text: what each can become. A new f-string fails
# the test until it is listed here (and its codes labelled).
BUILT = {
    "f'incentive.{incentive.status}'": ["incentive.approved", "incentive.rejected", "incentive.suspended"],
    "f'credit.entry.{t.kind}'": [
        "credit.entry.approved", "credit.entry.rejected", "credit.entry.upheld", "credit.entry.upheld_again",
        "credit.entry.revoked",
    ],
    "f'credit.entry.{kind}'": ["credit.entry.objected", "credit.entry.objected_again"],
    "f\"credit.repair.{('approved' if approve else 'refused')}\"": ["credit.repair.approved", "credit.repair.refused"],
    "f'attendance.{kind}'": ["attendance.in", "attendance.out"],
    "f'attendance.assisted_{kind}'": ["attendance.assisted_in", "attendance.assisted_out"],
    "f'consent.{action}'": ["consent.grant", "consent.withdraw"],
}  # fmt: skip


def _values(node: ast.expr, where: str) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _values(node.body, where) + _values(node.orelse, where)
    text = ast.unparse(node)
    if isinstance(node, ast.JoinedStr):
        assert text in BUILT, f"{where}: list what {text} becomes in BUILT"
        return BUILT[text]
    # A name passed on (``action=action``) inside a writer: its callers are read instead.
    assert isinstance(node, ast.Name), f"{where}: cannot read the action {text}"
    assert node.id == "action", f"{where}: cannot read the action {text}"
    return []


def audit_actions_in_source() -> dict[str, str]:
    """Every audit action written anywhere in the product code, action → file:line."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            for keyword in node.keywords:
                if name in WRITERS and keyword.arg == "action":
                    where = f"{path.relative_to(SOURCE)}:{node.lineno}"
                    for code in _values(keyword.value, where):
                        found.setdefault(code, where)
    return found


def test_every_audit_action_written_in_the_source_has_a_label():
    # given: every action the code can write
    written = audit_actions_in_source()
    # when: the labels of every installed app are collected
    labelled = registry.code_labels("audit.action")
    # then: each has words, and the reading found the actions we know are there
    assert {code: where for code, where in written.items() if code not in labelled} == {}
    assert {"credit.entry.record", "incentive.redeem_refused", "catalogue.draft", "attendance.assisted_out"} <= set(
        written
    )


def test_every_label_reads_in_chinese():
    # given: every kind of code and its labels
    kinds = registry._code_labels()
    # when: each label is rendered in the default language (Chinese, see conftest)
    english = {
        (kind, code): str(label)
        for kind, labels in kinds.items()
        for code, label in labels.items()
        if str(label).isascii()
    }
    # then: none is still in English
    assert english == {}


def test_every_job_has_a_name_for_the_jobs_page():
    # given: every one-off and periodic job of every installed app
    from rongxin.core.jobs import discover

    registered = set(discover())
    # then: each has words in "core.job", and the registry holds the jobs we know are there
    assert sorted(registered - set(registry.code_labels("core.job"))) == []
    assert {"credit.process_import", "core.prune_jobs", "incentives.refresh_exports"} <= registered
