"""Marshmallow schemas of the JSON API's envelopes: they validate requests and document the API.

The per-record-type field rules live in `sync/spec.py`; here a mutation's `fields` is just an object.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, validate
from marshmallow import fields as ma


class ApiErrorDetailSchema(Schema):
    code = ma.String(required=True)
    message = ma.String(required=True)
    fields = ma.Dict(keys=ma.String())
    state = ma.String()


class ApiErrorSchema(Schema):
    error = ma.Nested(ApiErrorDetailSchema, required=True)


# No control characters (NUL above all: PostgreSQL refuses it in text) in what a device names itself.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f\x7f]*\Z", error="Control characters are not allowed.")
PRINTABLE_TEXT = re.compile(r"^[^\x00-\x1f\x7f]*\Z")


class EnrollRequestSchema(Schema):
    code = ma.String(required=True, validate=[validate.Length(min=1, max=64), PRINTABLE])
    device_name = ma.String(load_default="", validate=[validate.Length(max=100), PRINTABLE])
    app_version = ma.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), PRINTABLE])


class GuideSchema(Schema):
    id = ma.Integer(required=True)
    name = ma.String(required=True)
    email = ma.String(required=True)
    locale = ma.String(allow_none=True)


class OrganizationSchema(Schema):
    id = ma.Integer(required=True)
    slug = ma.String(required=True)
    name = ma.String(required=True)


class EnrollResponseSchema(Schema):
    token = ma.String(required=True)
    device_id = ma.String(required=True)
    guide = ma.Nested(GuideSchema, required=True)
    organization = ma.Nested(OrganizationSchema, required=True)


class MutationSchema(Schema):
    id = ma.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))
    type = ma.String(required=True, validate=validate.Length(max=20))
    record_id = ma.String(required=True, validate=validate.Length(max=64))
    op = ma.String(required=True, validate=validate.Length(max=10))
    base_version = ma.Integer(strict=True, allow_none=True, load_default=None)
    fields = ma.Dict(keys=ma.String(), load_default=dict)
    client_time = ma.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), PRINTABLE])


MUTATION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MUTATION_KEYS = frozenset(MutationSchema().fields)
MUTATION_LIMITS = {"type": 20, "record_id": 64, "op": 10}


class MutationList(ma.List):
    """Loads exactly like `List(Nested(MutationSchema))` (and is documented so), but a list of
    well-formed mutations is checked in plain Python: marshmallow's per-field machinery costs more
    than the rest of a 500-mutation push's validation. Anything unusual takes marshmallow's path, so
    errors read the same."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = _well_formed_mutations(value)
        return loaded if loaded is not None else super()._deserialize(value, attr, data, **kwargs)


def _well_formed_mutations(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    loaded = []
    for item in value:
        if not isinstance(item, dict) or not MUTATION_KEYS.issuperset(item):
            return None
        mutation_id, base, fields, client_time = (item.get("id"), item.get("base_version"), item.get("fields", {}),
                                                  item.get("client_time"))
        if not isinstance(mutation_id, str) or not MUTATION_ID.match(mutation_id):
            return None
        for key, limit in MUTATION_LIMITS.items():
            if not isinstance(item.get(key), str) or len(item[key]) > limit:
                return None
        if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
            return None
        if not isinstance(fields, dict) or not all(isinstance(k, str) for k in fields):
            return None
        if client_time is not None and (not isinstance(client_time, str) or len(client_time) > 40
                                        or not PRINTABLE_TEXT.match(client_time)):
            return None
        loaded.append({"id": mutation_id, "type": item["type"], "record_id": item["record_id"], "op": item["op"],
                       "base_version": base, "fields": fields, "client_time": client_time})
    return loaded


class SyncRequestSchema(Schema):
    cursor = ma.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    mutations = MutationList(ma.Nested(MutationSchema), load_default=list)
    limit = ma.Integer(strict=True, load_default=500, validate=validate.Range(min=1, max=1000))
    app_version = ma.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), PRINTABLE])


class ResultSchema(Schema):
    id = ma.String(required=True)
    status = ma.String(required=True, validate=validate.OneOf(["applied", "merged", "conflict", "rejected"]))
    record_id = ma.String(allow_none=True)
    version = ma.Integer(allow_none=True)
    conflict_id = ma.String()
    conflict_ids = ma.List(ma.String())
    error = ma.Nested(ApiErrorDetailSchema)


class ChangeSchema(Schema):
    type = ma.String(required=True)
    record_id = ma.String(required=True)
    version = ma.Integer(required=True)
    deleted = ma.Boolean(required=True)
    data = ma.Dict(allow_none=True)


class SyncResponseSchema(Schema):
    results = ma.List(ma.Nested(ResultSchema), required=True)
    changes = ma.List(ma.Nested(ChangeSchema), required=True)
    cursor = ma.String(required=True)
    has_more = ma.Boolean(required=True)


class BlobInfoSchema(Schema):
    sha256 = ma.String(required=True)
    content_type = ma.String(required=True)
    size_bytes = ma.Integer(required=True)


class PushKeysSchema(Schema):
    p256dh = ma.String(required=True, validate=validate.Length(min=80, max=100))
    auth = ma.String(required=True, validate=validate.Length(min=16, max=30))


class PushSubscriptionSchema(Schema):
    """What the browser's `PushSubscription.toJSON()` gives (expirationTime is ignored)."""

    class Meta:
        unknown = "exclude"

    endpoint = ma.String(required=True, validate=[validate.Length(min=10, max=2000), PRINTABLE])
    keys = ma.Nested(PushKeysSchema, required=True)


class PushKeySchema(Schema):
    public_key = ma.String(required=True)
    subscribed = ma.Boolean(required=True)
    endpoint = ma.String(allow_none=True)
