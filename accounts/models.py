from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})

    def emails_with_perm(self, perm):
        """The addresses of active people who hold `perm` ("app_label.codename"): through a group, given
        to them directly, or as superusers. Who is told about something follows who may act on it."""
        app_label, codename = perm.split(".", 1)
        holds = (
            Q(is_superuser=True)
            | Q(
                groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
            )
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
        )
        # People without an e-mail address (contributors recorded from paper or a call) are skipped.
        people = self.filter(holds, is_active=True).exclude(email__isnull=True).exclude(email="")
        return sorted(set(people.values_list("email", flat=True)))

    def create_without_email(self, *, first_name, last_name, **extra_fields):
        """A person recorded by a coordinator who has no e-mail address: no sign-in (an unusable
        password, no address to sign in with). Use payments.services.record_offline_contributor,
        which also records their contact consent and profile."""
        user = self.model(email=None, first_name=first_name, last_name=last_name, **extra_fields)
        user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractUser):
    """A person known to the portal. The email address is the login; there is no username.

    A person may have no e-mail address (NULL): a contributor a coordinator records from a signed paper
    sheet or a phone call (docs/people-without-email.md). They cannot sign in (unusable password, no
    address to sign in with), every mail sender skips them, and they are paid by a recorded bank transfer
    or voucher. The address stays unique among those who have one: NULLs never collide in a unique index
    (PostgreSQL and SQLite), and an empty address is stored as NULL (save())."""

    username = None
    email = models.EmailField("email address", unique=True, null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True, help_text="Optional: for people who prefer a call.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email or f"Person {self.pk}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower() or None
        super().save(*args, **kwargs)

    @property
    def has_email(self):
        return bool(self.email)

    def in_group(self, name):
        return self.groups.filter(name=name).exists()

    @property
    def is_coordinator(self):
        return self.is_superuser or self.in_group(COORDINATORS)

    @property
    def is_contributor(self):
        return self.in_group(CONTRIBUTORS)


EDITORS = "Editors"
MODERATORS = "Moderators"
COORDINATORS = "Coordinators"
CONTRIBUTORS = "Contributors"
