"""The county's region tree (county > town > village), its practice sites and its venues.

Region codes are the 12-digit statistical division codes (GB/T 2260 county code + 3-digit town
+ 3-digit village). A region's ``prefix`` is the significant part of its code (6 digits for a
county, 9 for a town, 12 for a village): every region below it has a code that starts with it.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(r"^\d{12}$", _("A region code is 12 digits."))


class Region(models.Model):
    class Level(models.TextChoices):
        COUNTY = "county", _("County")
        TOWN = "town", _("Town")
        VILLAGE = "village", _("Village")

    PREFIX_LENGTH = {Level.COUNTY: 6, Level.TOWN: 9, Level.VILLAGE: 12}

    code = models.CharField(_("code"), max_length=12, unique=True, validators=[code_validator])
    prefix = models.CharField(_("code prefix"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="county", parent__isnull=True) | models.Q(parent__isnull=False),
                name="region_only_county_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: Region) -> bool:
        """True when ``other`` is this region or lies below it."""
        return other.prefix.startswith(self.prefix)


class PracticeSite(models.Model):
    """新时代文明实践中心/所/站: one centre per county, one institute per town, one station per village."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Practice centre")
        INSTITUTE = "institute", _("Practice institute")
        STATION = "station", _("Practice station")

    KIND_FOR_LEVEL = {
        Region.Level.COUNTY: Kind.CENTRE,
        Region.Level.TOWN: Kind.INSTITUTE,
        Region.Level.VILLAGE: Kind.STATION,
    }

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="practice_site", verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("practice site")
        verbose_name_plural = _("practice sites")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    class Kind(models.TextChoices):
        LECTURE_HALL = "lecture_hall", _("Lecture hall")
        CANTEEN = "canteen", _("Canteen site")
        RURAL_MARKET = "rural_market", _("Rural market")
        FIELD = "field", _("Field")
        OCEAN_RANCH = "ocean_ranch", _("Ocean ranch")
        SCHOOL = "school", _("School")
        SQUARE = "square", _("Square")
        ACTIVITY_ROOM = "activity_room", _("Activity room")
        CLINIC = "clinic", _("Clinic")
        OTHER = "other", _("Other")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="venues", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["region__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90), name="venue_latitude_range"
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180), name="venue_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name
