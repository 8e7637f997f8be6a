"""JSON through orjson where the internal services spend their time: candidate lists and stored records.

A four-need match moves about 200 provider records from the directory to the matcher; with the
standard library, encoding and decoding them was the largest part of both services' CPU time.
"""
from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import JSONProvider

loads = orjson.loads


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON; keys in the order given (dataclasses, UUIDs and datetimes too)."""
    return orjson.dumps(obj)


class FastJSONProvider(JSONProvider):
    """Flask's JSON (returned dicts, `jsonify`, `request.get_json`) through orjson.

    Unlike Flask's default, keys keep their order instead of being sorted and text is UTF-8 rather
    than escaped to ASCII. Bodies that flask-smorest loads are parsed by webargs, not here.
    """

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(dumps(obj), mimetype="application/json")
