"""factory_boy factories and named personas shared by the tests."""

import factory
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.org.models import Department, RoleAssignment, Unit, UnitLevel, User
from fengqiao.taxonomy.models import CaseType, Subcategory

PASSWORD = "fengqiao-test-pass"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    level = UnitLevel.COMMUNITY
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def grant(user: User, role: str, unit: Unit, department: Department | None = None) -> User:
    RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit, department=department)
    if hasattr(user, "_fengqiao_roles"):
        del user._fengqiao_roles
    return user


class CaseFactory(factory.django.DjangoModelFactory):
    """A case row as it would be after intake; tests move it on through the actions."""

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"T{n:08d}")
    unit = factory.SubFactory(UnitFactory)
    case_type = factory.LazyFunction(lambda: CaseType.objects.get(code="complaint"))
    subcategory = factory.LazyFunction(lambda: Subcategory.objects.get(code="01.02"))
    text = "楼道灯坏了一个星期没人修"
    received_at = factory.LazyFunction(timezone.now)
    # The resolver is not a Case: compute the deadline on an unsaved probe with the same inputs.
    deadline = factory.LazyAttribute(
        lambda o: Case(
            received_at=o.received_at, subcategory=o.subcategory, urgent=getattr(o, "urgent", False)
        ).compute_deadline()
    )
