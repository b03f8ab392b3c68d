import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from oms.models import (
    WEBHOOK_EVENTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; `role="Support"` puts them in that group, `role="Admin"` makes a superuser."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    role = None
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    is_superuser = factory.LazyAttribute(lambda user: user.role == "Admin")
    is_staff = factory.LazyAttribute(lambda user: user.role == "Admin")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        role = self._role
        if create and role and role != "Admin":
            self.groups.add(Group.objects.get_or_create(name=role)[0])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        role = kwargs.pop("role", None)
        user = super()._create(model_class, *args, **kwargs)
        user._role = role
        return user


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    url = factory.Sequence(lambda n: f"https://receiver{n}.example.com/hooks")
    description = "Test receiver"
    events = factory.LazyFunction(lambda: list(WEBHOOK_EVENTS))
    is_active = True


class WebhookEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    event = "stock.available_changed"
    payload = factory.Sequence(lambda n: {"sku": f"SKU-{n}", "available": n})


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    event = factory.SubFactory(WebhookEventFactory, status=WebhookEvent.Status.DISPATCHED)
    endpoint = factory.SubFactory(WebhookEndpointFactory)
    next_attempt_at = factory.LazyFunction(timezone.now)


class WebhookAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    attempted_at = factory.LazyFunction(timezone.now)
    status_code = 500
    error = "HTTP 500 Internal Server Error"
    duration_ms = 12
    response_snippet = "upstream exploded"
