"""The service catalog as plain, immutable data (no Django, no I/O).

Mirrors ``lianban-catalog/1``: departments, standard materials, form field
definitions, items (事项) and one-things (一件事). Values are exactly what the contract says; defaults are
already applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("行政许可", "行政确认", "行政备案", "公共服务", "其他行政权力", "其他")
MATERIAL_SOURCES = ("applicant", "licence")
SUBJECTS = ("enterprise", "person")
QUESTION_TYPES = ("number", "boolean", "choice", "text")
#: Types of application-form fields (catalog-format.md, "fields").
FIELD_TYPES = (
    "text", "textarea", "integer", "number", "amount", "date", "boolean", "choice",
    "phone", "email", "id_number", "uscc", "bank_account", "address",
)  # fmt: skip
#: Field types that are personal data unless a definition says otherwise.
PERSONAL_FIELD_TYPES = ("id_number", "phone", "email", "bank_account")
#: Field types whose bounds are numbers; ``date`` bounds are ISO dates.
NUMERIC_FIELD_TYPES = ("integer", "number", "amount")
#: Field types with a ``max_length`` and its default.
TEXT_FIELD_LENGTHS = {"text": 200, "textarea": 2000, "address": 300}
#: What an applicant's record can prefill a field with.
APPLICANT_PREFILLS = (
    "applicant.name", "applicant.id_number", "applicant.contact_name", "applicant.contact_phone", "applicant.address",
)  # fmt: skip
#: Question type → field types an answer of that type can fill (``prefill: answer.KEY``).
ANSWER_FILLS = {
    "number": ("integer", "number", "amount", "text", "textarea"),
    "boolean": ("boolean",),
    "choice": ("choice", "text", "textarea"),
    "text": ("text", "textarea", "address", "phone", "email", "id_number", "uscc", "bank_account"),
}


@dataclass(frozen=True, slots=True)
class Department:
    """A department that decides items (e.g. 市场监督管理局)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Material:
    """A standard material; the same code is the same document everywhere."""

    code: str
    name: str
    source: str  # applicant | licence


@dataclass(frozen=True, slots=True)
class FieldDef:
    """An application-form field definition; the same key is the same field everywhere.

    ``max_length`` and ``personal`` are None when the catalog leaves them to the
    type's default (see :attr:`length_limit` and :attr:`is_personal`).
    """

    key: str
    label: str
    type: str = "text"
    required: bool = True
    help: str | None = None
    options: tuple[str, ...] | None = None
    min: int | float | str | None = None
    max: int | float | str | None = None
    max_length: int | None = None
    prefill: str | None = None
    personal: bool | None = None

    @property
    def is_personal(self) -> bool:
        """Personal data: masked for staff and in exports, never in public tracking."""
        return self.type in PERSONAL_FIELD_TYPES if self.personal is None else self.personal

    @property
    def length_limit(self) -> int | None:
        """The most characters a text value may have (None for types without one)."""
        if self.type not in TEXT_FIELD_LENGTHS:
            return None
        return self.max_length if self.max_length is not None else TEXT_FIELD_LENGTHS[self.type]


def undefined_field(key: str) -> FieldDef:
    """How a field key without a definition is shown: a required text field labelled with its key."""
    return FieldDef(key=key, label=key)


@dataclass(frozen=True, slots=True)
class ItemMaterial:
    """A material an item asks for."""

    material: str
    name_override: str | None = None
    when: str | None = None
    required: bool = True
    tolerable: bool = False


@dataclass(frozen=True, slots=True)
class Item:
    """An administrative service item (事项)."""

    code: str
    name: str
    department: str
    legal_days: int
    promised_days: int
    category: str = "其他"
    fee: int | float = 0
    online: bool = True
    materials: tuple[ItemMaterial, ...] = ()
    produces: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    basis: str | None = None  # legal basis (设定依据), shown in the guide


@dataclass(frozen=True, slots=True)
class Question:
    """A situational question (情形) asked before planning."""

    key: str
    text: str
    type: str  # number | boolean | choice | text
    options: tuple[str, ...] | None = None
    min: int | float | None = None
    max: int | float | None = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class ThingItem:
    """A candidate item of a one-thing."""

    item: str
    when: str | None = None
    after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thing:
    """A one-thing (一件事)."""

    code: str
    name: str
    lead_department: str
    items: tuple[ThingItem, ...]
    subject: str = "enterprise"
    questions: tuple[Question, ...] = ()
    keywords: tuple[str, ...] = ()  # words people use for it: search finds the thing by them
    summary: str | None = None  # one paragraph introducing the thing in the guide
    notes: tuple[str, ...] = ()  # what to know before applying (办理须知): guide and receipt


@dataclass(slots=True)
class Catalog:
    """A whole catalog: entries by code, in insertion order."""

    departments: dict[str, Department] = field(default_factory=dict)
    materials: dict[str, Material] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    things: dict[str, Thing] = field(default_factory=dict)
    fields: dict[str, FieldDef] = field(default_factory=dict)

    def copy(self) -> Catalog:
        """A shallow copy whose dicts can be changed independently."""
        return Catalog(
            dict(self.departments), dict(self.materials), dict(self.items), dict(self.things), dict(self.fields)
        )

    def merge(self, other: Catalog) -> Catalog:
        """A new catalog: this one with every entry of ``other`` upserted by code."""
        merged = self.copy()
        merged.departments.update(other.departments)
        merged.materials.update(other.materials)
        merged.items.update(other.items)
        merged.things.update(other.things)
        merged.fields.update(other.fields)
        return merged

    def field_def(self, key: str) -> FieldDef:
        """The definition of a field key (a text field labelled with the key when there is none)."""
        found = self.fields.get(key)
        return found if found is not None else undefined_field(key)

    def things_including(self, item_code: str) -> list[Thing]:
        """The things that list ``item_code`` among their candidate items."""
        return [thing for thing in self.things.values() if any(ti.item == item_code for ti in thing.items)]
