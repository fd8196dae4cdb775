"""The API's JSON renderer: DRF's output, written by orjson (kept apart from common.api, which
DRF's settings import).

DRF's JSONRenderer runs the standard library's encoder (a quarter of a millisecond for a page
of fifty users); orjson takes a fraction of that. This one gives the same bytes for what the
API answers — text, numbers, null, lists and objects, with DRF's own encoder for everything
else (dates and times, decimals, lazy text) — and hands anything orjson refuses (an integer
past 64 bits, a lone surrogate) and any indented rendering (``Accept: application/json;
indent=4``) to DRF's renderer. What differs: a small float that Python writes with an exponent
(``1e-07``) is written ``1e-7``, the same number; NaN and infinities, which DRF refuses with an
error, are null.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default, option=OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF: the line and paragraph separators escaped, so the JSON is valid JavaScript.
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
