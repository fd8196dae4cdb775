"""The API's JSON parser (kept apart from common.api, which DRF's settings import)."""

import codecs
import io

import orjson
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# orjson's own limit. Python's stdlib parser recurses once per level and overflows the stack
# (RecursionError, a 500) somewhat below it, so the fallback refuses deeper bodies first.
MAX_DEPTH = 1024


def _too_deep(body: bytes) -> bool:
    """Whether brackets outside strings nest deeper than MAX_DEPTH: a linear scan, no parse."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _has_lone_surrogate(data) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser on orjson: a batch of a thousand events parses in a third of the
    time. What orjson refuses (another charset, an integer beyond 64 bits) goes to DRF's own
    parser, so the answers stay DRF's: the same data, the same parse errors.

    Two refusals are ours, both on that fallback path: nesting beyond orjson's limit (the
    stdlib parser would overflow the stack), and a lone surrogate (``"\\ud800"``), which orjson
    refuses but the stdlib accepts, and which is not text: PostgreSQL cannot store it."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        encoding = (parser_context or {}).get("encoding", "utf-8")
        if codecs.lookup(encoding).name == "utf-8":
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:
                pass
        if _too_deep(body):
            raise ParseError()
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            # A charset whose brackets the byte scan cannot see (UTF-16, say).
            raise ParseError() from None
        if _has_lone_surrogate(data):
            raise ParseError()
        return data
