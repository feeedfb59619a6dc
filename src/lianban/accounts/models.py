"""The user model: every person who signs in, with one role."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.common.fields import EncryptedTextField, LookupDigestField
from lianban.core.masking import mask


class Role(models.TextChoices):
    """What a user does on the platform."""

    APPLICANT = "APPLICANT", _("Applicant")
    CLERK = "CLERK", _("Window clerk")
    REVIEWER = "REVIEWER", _("Department reviewer")
    SUPERVISOR = "SUPERVISOR", _("Supervisor")
    ADMIN = "ADMIN", _("Catalog administrator")
    SECURITY = "SECURITY", _("Security administrator")


class LianbanUserManager(UserManager["User"]):
    """Django's user manager; a superuser (``createsuperuser``) is a catalog administrator, not an applicant."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        """The operator's account: every Django permission, role ADMIN unless another role is given."""
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Clerks and reviewers belong to a department."""

    objects: ClassVar[LianbanUserManager] = LianbanUserManager()

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.APPLICANT)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("For window clerks and department reviewers."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="REVIEWER") | models.Q(department__isnull=False),
                name="reviewer_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        """True for applicants."""
        return self.role == Role.APPLICANT


class AccountEvent(models.Model):
    """One change to an account made by a security administrator (the user-management audit trail).

    Rows are only ever added: the admin writes one per addition, change,
    password reset or deletion, with the account's role and rights after it.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, on_delete=models.SET_NULL, related_name="account_events_made"
    )
    target = models.ForeignKey(
        User, verbose_name=_("account"), null=True, on_delete=models.SET_NULL, related_name="account_events"
    )
    target_username = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=32)
    detail = models.TextField(_("detail"), blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_username}"


class ApiToken(models.Model):
    """A bearer token of a script or a department system, acting as its user.

    Only the SHA-256 of the token is stored (the token is 32 random bytes, so a
    fast hash is right, unlike passwords); ``prefix`` is its visible start,
    to tell tokens apart in lists. A token works until it expires or is revoked,
    and only while its user is active.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"


class ApplicantKind(models.TextChoices):
    """Who an applicant is (the same values as a thing's ``subject``)."""

    ENTERPRISE = "enterprise", _("enterprise")
    PERSON = "person", _("person")


class Applicant(models.Model):
    """An enterprise (统一社会信用代码, GB 32100) or a person (公民身份号码, GB 11643) that applies.

    Users act for applicants through :class:`ApplicantMember`; cases and
    licences belong to the applicant, not to a user. The identity number and
    the phone are encrypted at rest; the identity is looked up by its digest
    (``accounts.selectors.applicant_get_by_identity``).

    An applicant user who registers an identity that another account already
    registered gets a *claim* (``claim_of`` set): a provisional applicant with
    what they typed and nothing of the registered one, so the answer is the
    same whether the identity exists or not. The window confirms a claim
    against the papers (``intake.services.intake_identity_confirm``: its cases
    and drafts move to the registered applicant, the claim is retired) or
    returns the case (``intake_identity_refuse``). Only one applicant per
    identity is not a claim (``applicant_identity_digest_once``).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ApplicantKind.choices)
    id_number = EncryptedTextField(_("identity number"), max_length=18)
    #: HMAC-SM3 of ``id_number``: the identity is found (and kept unique) by this, never by the ciphertext.
    id_number_digest = LookupDigestField(_("identity number digest"), source="id_number")
    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = EncryptedTextField(_("contact phone"), max_length=32)
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claim_of = models.ForeignKey(
        "self",
        verbose_name=_("claims the identity of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("Set for an unverified claim to an identity another account registered."),
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    members = models.ManyToManyField(
        User, through="ApplicantMember", related_name="applicants", verbose_name=_("members"), blank=True
    )

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["name", "id"]
        indexes = [
            # the list by name, the search by the start of the name (LIKE 'x%' on PostgreSQL); identity numbers by digest (below)
            models.Index(fields=["name", "id"], name="applicant_name"),
            models.Index(fields=["name"], name="applicant_name_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # claims (provisional, unverified) share the identity of the registered applicant
            models.UniqueConstraint(
                fields=["kind", "id_number_digest"],
                condition=models.Q(claim_of__isnull=True),
                name="applicant_identity_digest_once",
            ),
            models.CheckConstraint(
                condition=models.Q(retired_at__isnull=True) | models.Q(claim_of__isnull=False),
                name="applicant_only_claims_retire",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=["enterprise", "person"]), name="applicant_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({mask(self.id_number, 'id_number')})"

    @property
    def is_unverified_claim(self) -> bool:
        """A claim to a registered identity that the window has not confirmed (nor retired)."""
        return self.claim_of_id is not None and self.retired_at is None


class ApplicantMember(models.Model):
    """A user who may act for an applicant (the applicant's own account, an agent, an employee)."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("applicant")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("applicant member")
        verbose_name_plural = _("applicant members")
        constraints = [models.UniqueConstraint(fields=["applicant", "user"], name="applicant_member_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.applicant}"


class CodePurpose(models.TextChoices):
    """What a one-time code sent to a mobile number is for."""

    SIGNUP = "signup", _("sign-up")
    RESET = "reset", _("password reset")


class PhoneCode(models.Model):
    """A six-digit one-time code sent (or, to keep answers alike, not sent) to a mobile number.

    Neither the number, the client's address nor the code is stored: only keyed
    digests (HMAC-SM3 under the lookup key; the code with a random salt). A code
    works once, until it expires, for a few attempts, and only while it is the
    number's newest of its purpose. The rows also count the requests of a
    number and of an address for the rate limits (``accounts.phone_codes``).
    """

    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    phone_digest = models.CharField(_("mobile number digest"), max_length=64)
    address_digest = models.CharField(_("address digest"), max_length=64, blank=True)
    salt = models.CharField(_("salt"), max_length=32)
    code_digest = models.CharField(_("code digest"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    #: Keyed digest of the random token the request's answer carried: the page asks by it whether the code went out.
    token_digest = models.CharField(_("status token digest"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["phone_digest", "created_at"], name="phonecode_phone_at"),
            models.Index(fields=["address_digest", "created_at"], name="phonecode_address_at"),
            models.Index(fields=["created_at"], name="phonecode_at"),  # pruning
            models.Index(fields=["token_digest"], name="phonecode_token"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SingleSignOnIdentity(models.Model):
    """An identity of the single sign-on provider (OpenID Connect ``iss`` + ``sub``) and the user it signs in."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(_("issuer"), max_length=200)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_once")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
