"""The platform's own endpoints: who am I, and API key management for admins."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api_schema import error_responses
from oms.models import ApiClient
from oms.roles import STAFF_ROLES, Role, user_roles
from oms.services import api_client_create, api_client_revoke


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    api_key = serializers.CharField(allow_null=True, help_text="Name of the key in use, if any.")


class MeView(APIView):
    allowed_roles = STAFF_ROLES

    @extend_schema(
        responses={200: MeSerializer, **error_responses(401, 403)},
        summary="The identity behind this request",
    )
    def get(self, request):
        client = request.auth if isinstance(request.auth, ApiClient) else None
        data = {
            "username": request.user.get_username(),
            "roles": sorted(user_roles(request.user)),
            "api_key": client.name if client else None,
        }
        return Response(MeSerializer(data).data)


class ApiKeySerializer(serializers.ModelSerializer):
    user = serializers.CharField(
        source="user.username",
        allow_null=True,
        help_text="The staff user the key acts as; null for a channel's key.",
    )
    key = serializers.SerializerMethodField(help_text="Returned once, on creation.")

    class Meta:
        model = ApiClient
        fields = [
            *("id", "name", "user", "key_prefix", "key"),
            *("created_at", "last_used_at", "revoked_at"),
        ]
        read_only_fields = fields

    def get_key(self, client) -> str | None:
        return self.context.get("key")


class NewApiKeySerializer(serializers.Serializer):
    """Admins issue keys for staff users; a channel's key comes from `create_api_key`."""

    name = serializers.CharField(max_length=100)
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )


class ApiKeyListView(APIView):
    allowed_roles = (Role.ADMIN,)

    @extend_schema(
        responses={200: ApiKeySerializer(many=True), **error_responses(401, 403)},
        summary="List API keys",
    )
    def get(self, request):
        clients = ApiClient.objects.select_related("user")[:500]
        return Response(ApiKeySerializer(clients, many=True).data)

    @extend_schema(
        request=NewApiKeySerializer,
        responses={201: ApiKeySerializer, **error_responses(400, 401, 403)},
        summary="Issue an API key acting as a staff user",
    )
    def post(self, request):
        serializer = NewApiKeySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client, key = api_client_create(
            name=serializer.validated_data["name"], user=serializer.validated_data["user"]
        )
        body = ApiKeySerializer(client, context={"key": key}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyRevokeView(APIView):
    allowed_roles = (Role.ADMIN,)

    @extend_schema(
        request=None,
        responses={200: ApiKeySerializer, **error_responses(401, 403, 404)},
        summary="Revoke an API key",
    )
    def post(self, request, pk: int):
        client = api_client_revoke(client=get_object_or_404(ApiClient, pk=pk))
        return Response(ApiKeySerializer(client).data)
