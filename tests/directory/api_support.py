"""Constants and checks shared by the directory's HTTP tests."""
from __future__ import annotations

# An exact point in Utrecht whose ~5 km cell centre lies about 3 km away.
HIDDEN_POINT = (52.1080, 5.1700)
HIDDEN_ADDRESS = "Geheimstraat 17"


def field_errors(response) -> dict:
    """The `error.fields` of a 400 answer, after checking the error shape."""
    assert response.status_code == 400, (response.status_code, response.json)
    error = response.json["error"]
    assert error["status"] == 400
    assert error["code"] == "validation_error"
    assert error["message"]
    return error["fields"]
