"""Catalog tables: departments, standard materials, items, one-things.

One row per entry of ``lianban-catalog/1``; ordered child rows keep the order
of lists (an item's materials, a thing's questions and items). Rules live in
``lianban.core`` and ``services``; these models only hold data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.core.catalog_format import field_key_problem, key_problem, prefill_problem

code_validator = RegexValidator(
    r"\A[A-Za-z0-9_-]{1,40}\Z",
    _("Codes are 1 to 40 ASCII letters, digits, '_' or '-'."),
)


def validate_question_key(value: str) -> None:
    """A question key is an identifier that conditions can name."""
    if key_problem(value) is not None:
        raise ValidationError(
            _(
                "Keys are identifiers (letters, digits and '_', not starting with a digit), not and/or/not/in/true/false."
            ),
            code="invalid",
        )


def validate_field_key(value: str) -> None:
    """A form field key: a lowercase letter, then lowercase letters, digits or '_'."""
    if field_key_problem(value) is not None:
        raise ValidationError(
            _("Field keys are a lowercase letter, then up to 39 lowercase letters, digits or '_'."), code="invalid"
        )


def validate_prefill(value: str) -> None:
    """A prefill source the platform knows."""
    if value and prefill_problem(value) is not None:
        raise ValidationError(
            _(
                "Prefill from applicant.name, applicant.id_number, applicant.contact_name, "
                "applicant.contact_phone, applicant.address or answer.KEY."
            ),
            code="invalid",
        )


def code_field() -> models.CharField[Any, Any]:
    """The unique code of a catalog entry."""
    return models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])


class Department(models.Model):
    """A department that decides items (部门)."""

    code = code_field()
    name = models.TextField(_("name"))

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class MaterialSource(models.TextChoices):
    """Where a material comes from."""

    APPLICANT = "applicant", _("provided by the applicant")
    LICENCE = "licence", _("licence issued by government")


class Material(models.Model):
    """A standard material (标准材料); the same code is the same document everywhere."""

    code = code_field()
    name = models.TextField(_("name"))
    source = models.CharField(_("source"), max_length=16, choices=MaterialSource.choices)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class FieldType(models.TextChoices):
    """Types of application-form fields (catalog-format.md)."""

    TEXT = "text", _("text")
    TEXTAREA = "textarea", _("long text")
    INTEGER = "integer", _("whole number")
    NUMBER = "number", _("number")
    AMOUNT = "amount", _("amount (yuan)")
    DATE = "date", _("date")
    BOOLEAN = "boolean", _("yes / no")
    CHOICE = "choice", _("choice")
    PHONE = "phone", _("phone number")
    EMAIL = "email", _("e-mail address")
    ID_NUMBER = "id_number", _("citizen identity number")
    USCC = "uscc", _("unified social credit code")
    BANK_ACCOUNT = "bank_account", _("bank account")
    ADDRESS = "address", _("address")


class FieldDefinition(models.Model):
    """An application-form field (表单项); the same key is the same field in every item."""

    key = models.CharField(_("key"), max_length=40, unique=True, validators=[validate_field_key])
    label = models.TextField(_("label"))
    type = models.CharField(_("type"), max_length=16, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("required"), default=True)
    help = models.TextField(_("help text"), blank=True, null=True)
    options = models.JSONField(_("options"), null=True, blank=True)
    min = models.JSONField(_("minimum"), null=True, blank=True)
    max = models.JSONField(_("maximum"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    prefill = models.TextField(_("prefill from"), blank=True, null=True, validators=[validate_prefill])
    personal = models.BooleanField(_("personal data"), null=True, blank=True)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"


class Category(models.TextChoices):
    """Item categories of the contract."""

    LICENSING = "行政许可", _("administrative licensing")
    CONFIRMATION = "行政确认", _("administrative confirmation")
    FILING = "行政备案", _("administrative filing")
    PUBLIC_SERVICE = "公共服务", _("public service")
    OTHER_POWER = "其他行政权力", _("other administrative power")
    OTHER = "其他", _("other")


class Item(models.Model):
    """An administrative service item (事项)."""

    code = code_field()
    name = models.TextField(_("name"))
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="items"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    legal_days = models.PositiveIntegerField(_("statutory time limit (working days)"))
    promised_days = models.PositiveIntegerField(_("promised time limit (working days)"))
    fee = models.FloatField(_("fee (yuan)"), default=0, validators=[MinValueValidator(0)])
    online = models.BooleanField(_("can be handled fully online"), default=True)
    form_fields = models.JSONField(_("form fields"), default=list, blank=True)
    produces = models.ManyToManyField(
        Material, through="ItemProduct", verbose_name=_("produces"), related_name="produced_by", blank=True
    )
    basis = models.TextField(_("legal basis"), blank=True, default="")  # "" = not given

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("legal_days")),
                name="item_promised_within_legal",
                violation_error_message=_("The promised time limit must not exceed the statutory time limit."),
            ),
            models.CheckConstraint(
                condition=models.Q(fee__gte=0),
                name="item_fee_not_negative",
                violation_error_message=_("The fee must not be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ItemMaterial(models.Model):
    """A material an item asks for, possibly only under a condition."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="needs", verbose_name=_("item"))
    position = models.PositiveIntegerField(_("position"), default=0)
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="needed_by", verbose_name=_("material")
    )
    name_override = models.TextField(_("name in this item"), blank=True, null=True)
    when = models.TextField(_("condition"), blank=True, null=True)
    required = models.BooleanField(_("required"), default=True)
    tolerable = models.BooleanField(_("may be supplied later (容缺)"), default=False)

    class Meta:
        verbose_name = _("item material")
        verbose_name_plural = _("item materials")
        ordering = ["item", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "material"], name="item_material_once")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.material.code}"


class ItemProduct(models.Model):
    """A result document an item issues."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="products", verbose_name=_("item"))
    position = models.PositiveIntegerField(_("position"), default=0)
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material"))

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")
        ordering = ["item", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "material"], name="item_product_once")]

    def __str__(self) -> str:
        return f"{self.item.code} → {self.material.code}"


class Subject(models.TextChoices):
    """Who applies for a thing."""

    ENTERPRISE = "enterprise", _("enterprise")
    PERSON = "person", _("person")


class Thing(models.Model):
    """A one-thing (一件事)."""

    code = code_field()
    name = models.TextField(_("name"))
    subject = models.CharField(_("applicant type"), max_length=16, choices=Subject.choices, default=Subject.ENTERPRISE)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="led_things"
    )
    keywords = models.JSONField(_("search keywords"), default=list, blank=True)
    summary = models.TextField(_("summary"), blank=True, default="")  # "" = not given
    notes = models.JSONField(_("what to know before applying"), default=list, blank=True)

    class Meta:
        verbose_name = _("one-thing")
        verbose_name_plural = _("one-things")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class QuestionType(models.TextChoices):
    """Types of situational questions."""

    NUMBER = "number", _("number")
    BOOLEAN = "boolean", _("yes / no")
    CHOICE = "choice", _("choice")
    TEXT = "text", _("text")


class Question(models.Model):
    """A situational question (情形) asked before planning."""

    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="questions", verbose_name=_("one-thing"))
    position = models.PositiveIntegerField(_("position"), default=0)
    key = models.TextField(_("key"), validators=[validate_question_key])
    text = models.TextField(_("question"))
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    options = models.JSONField(_("options"), null=True, blank=True)
    min = models.FloatField(_("minimum"), null=True, blank=True)
    max = models.FloatField(_("maximum"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["thing", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["thing", "key"], name="question_key_once")]

    def __str__(self) -> str:
        return f"{self.thing.code}.{self.key}"


class ThingItem(models.Model):
    """A candidate item of a one-thing, with its condition and ordering."""

    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="entries", verbose_name=_("one-thing"))
    position = models.PositiveIntegerField(_("position"), default=0)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="in_things", verbose_name=_("item"))
    when = models.TextField(_("condition"), blank=True, null=True)
    after = models.JSONField(_("after (item codes)"), default=list, blank=True)

    class Meta:
        verbose_name = _("candidate item")
        verbose_name_plural = _("candidate items")
        ordering = ["thing", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["thing", "item"], name="thing_item_once")]

    def __str__(self) -> str:
        return f"{self.thing.code}: {self.item.code}"


def _new_token() -> str:
    import secrets

    return secrets.token_hex(16)


class CatalogRevision(models.Model):
    """A single row counting catalog changes.

    Compiled plans are cached by ``token``, a random value written by every
    change: unlike the counter, it never repeats after a rollback or on a
    fresh database, so a cache can never serve another catalog's plan.
    """

    revision = models.PositiveBigIntegerField(default=0)
    token = models.CharField(max_length=32, default=_new_token)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catalog revision")

    def __str__(self) -> str:
        return f"r{self.revision}"


class ImportRecord(models.Model):
    """One successful catalog import: what came in, from which files, by whom."""

    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("imported by")
    )
    files = models.JSONField(_("files"), default=list)  # [{"name", "sha256"}]
    counts = models.JSONField(_("entries"), default=dict)  # section -> number upserted
    revision = models.PositiveBigIntegerField(_("revision"))

    class Meta:
        verbose_name = _("catalog import")
        verbose_name_plural = _("catalog imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} r{self.revision}"
