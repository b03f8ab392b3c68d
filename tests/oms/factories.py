import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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
