"""Funds (专项资金 · 信用基金) and quarterly commendations (季度表彰).

The books are double-entry, one set per fund: the county special fund (县级专项资金), each town's
credit fund and each village's credit fund (信用基金). Every movement of money is a
:class:`JournalEntry` whose :class:`JournalLine` amounts (debits positive, credits negative, in
exact yuan to the fen) sum to zero, backed by a :class:`Voucher` (a scan or PDF, checked by its
content). Entries are never edited or deleted: a correction is a reversing entry. Each fund's
entries form a hash chain (``prev_hash`` → ``hash``) so ``rongxin funds verify`` finds a changed
amount, account or date. A month is closed by :class:`PeriodClose`; nothing may be posted on or
before a fund's ``closed_through`` day. ``Account.balance`` is a cache kept under the fund's row
lock, and an account marked ``no_overdraft`` (the bank account, the goods in store) never goes
below zero.

On the books stand:

- the county special fund's yearly :class:`BudgetLine` s and its :class:`Allocation` s to towns,
  villages and canteens (one entry in each fund);
- :class:`Donation` s into a fund: a donor who is a subject earns credit once, through the credit
  engine's rule (``P-DON-02`` / ``E-DON-02``);
- quarterly :class:`Meeting` s of a town or village: :class:`Nomination` s drawn from the
  platform's own data, a publicity period (公示) with public :class:`Objection` s, awards paid
  from the credit fund (a journal entry each) or given as goods or a certificate, each entering
  the credit file through the commendation rule, and the published honour roll (光荣榜).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.canteens.models import Canteen
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject


# --- Funds and their accounts ----------------------------------------------------------------------
class Fund(models.Model):
    class Kind(models.TextChoices):
        COUNTY_SPECIAL = "county_special", _("County special fund")
        TOWN_CREDIT = "town_credit", _("Town credit fund")
        VILLAGE_CREDIT = "village_credit", _("Village credit fund")
        # The county's one fund for the project marketplace (项目超市): each project has its own
        # accounts in it (``rongxin.funds.domain.accounts.project_codes``); only the projects
        # module posts to it.
        PROJECTS = "projects", _("Project marketplace fund")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=100)
    opened_on = models.DateField(_("opened on"))
    # The least the bank account may hold after spending (a village credit fund keeps ≥ ¥10,000
    # where the county's rules say so; 0 elsewhere). Income is never refused for this.
    minimum_balance = models.DecimalField(_("minimum balance (yuan)"), default=0, max_digits=14, decimal_places=2)
    # Nothing may be posted on or before this day (the last day of the last closed month).
    closed_through = models.DateField(_("closed through"), null=True, blank=True)
    # The hash chain of the fund's journal: number of entries and the last entry's hash.
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    chain_head = models.CharField(_("chain head"), max_length=64, default="")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["kind", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "region"], name="fund_kind_region_once"),
            models.CheckConstraint(condition=models.Q(minimum_balance__gte=0), name="fund_minimum_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """An account of one fund's chart. Debit-normal types (assets, expenses) grow with debits;
    credit-normal types (net assets, income, liabilities) with credits."""

    class Type(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        NET_ASSETS = "net_assets", _("Net assets")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=60)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    # An account that can never hold less than nothing (the bank account, goods in store).
    no_overdraft = models.BooleanField(_("may not go below zero"), default=False)
    # Cache of the sum of the account's lines, in the account's normal direction; kept under the
    # fund's row lock by the posting service and checked by ``rongxin funds verify``.
    balance = models.DecimalField(_("balance (yuan)"), default=0, max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["fund_id", "code"]
        constraints = [models.UniqueConstraint(fields=["fund", "code"], name="account_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Voucher(models.Model):
    """The paper behind a movement (发票、收据、银行回单、签收表): a PDF, JPEG or PNG checked by its
    content, kept in the database. One voucher may back several entries of its fund (e.g. the
    signed receipt list of a meeting's awards)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="vouchers")
    file_name = models.CharField(_("file"), max_length=120)
    content_type = models.CharField(_("type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [models.UniqueConstraint(fields=["fund", "sha256"], name="voucher_once_per_fund")]

    def __str__(self) -> str:
        return self.file_name


# --- The county special fund's budget -------------------------------------------------------------
class BudgetLine(models.Model):
    """One line of the county special fund's budget for a year, spent through its expense account."""

    class Line(models.TextChoices):
        BUILDING = "building", _("Institutes and stations")
        ACTIVITIES = "activities", _("Activities")
        CANTEENS = "canteens", pgettext_lazy("budget line", "Canteens")
        LECTURES = "lectures", pgettext_lazy("budget line", "Lectures")
        COMMENDATIONS = "commendations", _("Commendations")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    line = models.CharField(_("line"), max_length=14, choices=Line.choices)
    amount = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("expense account"))
    set_at = models.DateTimeField(_("set at"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["fund_id", "year", "line"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year", "line"], name="budget_line_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.line}"


# --- Journal -----------------------------------------------------------------------------------------
class JournalEntry(models.Model):
    """One balanced movement of a fund, appended and never changed."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening balance")
        APPROPRIATION = "appropriation", _("County appropriation")
        TRANSFER_IN = "transfer_in", _("Transfer received")
        WELFARE = "welfare", _("Merged welfare payments")
        OTHER_INCOME = "other_income", _("Other income")
        DONATION = "donation", _("Donation")
        ALLOCATION = "allocation", _("Allocation paid")
        SPENDING = "spending", _("Spending")
        AWARD = "award", _("Commendation award")
        REWARD = "reward", _("Credit reward")
        REVERSAL = "reversal", _("Reversal")
        SETTLEMENT = "settlement", _("Left-over settled")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField(_("number"))  # 1, 2, … per fund: the chain's order
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=200)
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="entries", verbose_name=_("voucher"))
    budget_line = models.ForeignKey(
        BudgetLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("budget line"),
    )
    # The entry this one reverses (a correction); an entry is reversed at most once.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by", verbose_name=_("reverses")
    )
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["fund_id", "number"]
        indexes = [
            models.Index(fields=["fund", "date"], name="entry_fund_date"),
            models.Index(fields=["budget_line"], name="entry_budget_line"),
        ]
        constraints = [models.UniqueConstraint(fields=["fund", "number"], name="entry_number_once")]

    def __str__(self) -> str:
        return f"{self.fund_id}#{self.number}"


class JournalLine(models.Model):
    """One side of an entry: a signed amount (debit > 0, credit < 0) on one account of the entry's
    fund."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry_id", "id"]
        indexes = [models.Index(fields=["account", "entry"], name="line_account_entry")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="line_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"


class PeriodClose(models.Model):
    """A month closed for posting, with the trial balance it closed on (account code → balance)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="closes")
    month = models.DateField(_("month"))  # the first day of the month
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    balances = models.JSONField(_("balances"), default=dict)
    chain_head = models.CharField(_("chain head"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["fund_id", "month"]
        constraints = [models.UniqueConstraint(fields=["fund", "month"], name="period_close_once")]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.month:%Y-%m}"


# --- The county fund's allocations ------------------------------------------------------------------
class Allocation(models.Model):
    """Money the county special fund pays out of a budget line to a town's or village's credit
    fund (an entry in each fund) or to a canteen (an entry in the county fund)."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="allocations")
    recipient_fund = models.ForeignKey(
        Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations_in", verbose_name=_("to fund")
    )
    canteen = models.ForeignKey(
        Canteen, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("to canteen")
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    date = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    out_entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="allocation_out")
    in_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="allocation_in"
    )
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
            models.CheckConstraint(
                condition=(models.Q(recipient_fund__isnull=False) & models.Q(canteen__isnull=True))
                | (models.Q(recipient_fund__isnull=True) & models.Q(canteen__isnull=False)),
                name="allocation_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"¥{self.amount} {self.date}"


# --- Donations ---------------------------------------------------------------------------------------
class Donation(models.Model):
    """Money or goods given to a fund, listed on the fund's public statement under the donor's name
    unless they asked to stay anonymous. A donor who is a subject earns credit once
    (``credit_key``), capped by the rule."""

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        GOODS = "goods", _("Goods")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="donations")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="donation")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    donor = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    donor_name = models.CharField(_("donor"), max_length=100)
    anonymous = models.BooleanField(_("stay anonymous"), default=False)
    goods = models.CharField(_("goods"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount or value (yuan)"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("received on"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    credit_key = models.CharField(_("credit entry key"), max_length=120, blank=True)
    credit_points = models.PositiveIntegerField(_("credit points"), null=True, blank=True)
    credit_status = models.CharField(_("credit"), max_length=10, blank=True)  # created, held, existing, capped

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["fund_id", "-received_on", "-id"]
        indexes = [models.Index(fields=["fund", "received_on"], name="fund_donation_day")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_donation_positive")]

    def __str__(self) -> str:
        return f"{self.donor_name} ¥{self.amount}"


# --- Quarterly commendations -------------------------------------------------------------------------
class Meeting(models.Model):
    """A town's or village's quarterly commendation meeting (季度表彰大会)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Nominating")
        PUBLICITY = "publicity", _("In publicity")
        AWARDING = "awarding", _("Awarding")
        PUBLISHED = "published", _("Honour roll published")
        CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("town or village"))
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("paying fund"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    publicity_days = models.PositiveSmallIntegerField(_("publicity (days)"), default=7)
    publicity_starts_on = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("publicity until"), null=True, blank=True)
    held_on = models.DateField(_("meeting held on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("commendation meeting")
        verbose_name_plural = _("commendation meetings")
        ordering = ["-year", "-quarter", "region__code"]
        indexes = [models.Index(fields=["status", "publicity_ends_on"], name="meeting_status_ends")]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "quarter"], name="meeting_once_per_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="meeting_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return self.title


class Nomination(models.Model):
    """A name on a meeting's list: drawn from the platform's data (with the reasons) or added by
    the committee (with its reason); removed or excluded names stay, with why."""

    class Category(models.TextChoices):
        HONEST = "honest", _("Honest person")
        VOLUNTEER = "volunteer", pgettext_lazy("commendation", "Volunteer")
        DOER = "doer", _("Doer")

    class Origin(models.TextChoices):
        DATA = "data", _("Drawn from the platform's data")
        COMMITTEE = "committee", _("Added by the committee")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        REMOVED = "removed", _("Removed by the committee")
        EXCLUDED = "excluded", _("Excluded")
        WITHDRAWN = "withdrawn", _("Withdrawn after an objection")
        AWARDED = "awarded", _("Awarded")

    class AwardKind(models.TextChoices):
        MONEY = "money", _("Money")
        GOODS = "goods", _("Goods")
        CERTIFICATE = "certificate", _("Certificate")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="nominations")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    # Why the name is on the list: [{"code": "volunteer_hours", "text": "本季度志愿服务 32.5 小时"}, …]
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    status_reason = models.CharField(_("why"), max_length=200, blank=True)
    award_kind = models.CharField(_("award"), max_length=12, choices=AwardKind.choices, blank=True)
    award_amount = models.DecimalField(_("award (yuan)"), null=True, blank=True, max_digits=14, decimal_places=2)
    award_goods = models.CharField(_("goods"), max_length=100, blank=True)
    award_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="award"
    )
    credit_key = models.CharField(_("credit entry key"), max_length=120, blank=True)
    credit_points = models.PositiveIntegerField(_("credit points"), null=True, blank=True)
    credit_status = models.CharField(_("credit"), max_length=10, blank=True)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["meeting_id", "category", "id"]
        indexes = [models.Index(fields=["subject", "status"], name="nomination_subject_status")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "subject"], name="nomination_once_per_meeting"),
            models.CheckConstraint(
                condition=models.Q(award_amount__isnull=True) | models.Q(award_amount__gt=0),
                name="nomination_award_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.subject_id} {self.category}"


class Objection(models.Model):
    """An objection anyone lodged on the public page during publicity, and the committee's answer."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("objection", "Open")
        UPHELD = "upheld", _("Upheld: the name is withdrawn")
        DISMISSED = "dismissed", _("Dismissed")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="objections")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("objection"))
    contact = models.CharField(_("contact (optional)"), max_length=60, blank=True)
    lodged_at = models.DateTimeField(_("lodged at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("objection to a nomination")
        verbose_name_plural = _("objections to nominations")
        ordering = ["meeting_id", "lodged_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.nomination_id}"
