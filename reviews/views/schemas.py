"""The JSON Schemas of the packet format, one per version, for anyone to read: a schema holds
no one's data, and whoever writes or checks a packet file elsewhere needs it without an account
here. Each is served at the URL its `$id` names, on this site (`SITE_URL`)."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from reviews.packets import formats


@require_GET
def packet_schema(request, version: int):
    packet_format = formats.format_of(version)
    if packet_format is None:
        raise Http404("No such version of the packet format.")
    schema = dict(formats.schema(packet_format))
    schema["$id"] = settings.SITE_URL + formats.schema_path(packet_format)
    body = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return HttpResponse(body, content_type="application/schema+json")
