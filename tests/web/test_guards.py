"""The reusable input types and the request guards, on a small app served on 127.0.0.1.

The app has one route per type, the way the JSON API uses them: an id in the path and in
the query, a text and a number in a JSON body.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from tidings.config import load_settings
from tidings.web.guards import MAX_ID, BodyId, DbId, FiniteFloat, QueryId, SafeText, install


class Note(BaseModel):
    text: SafeText
    weight: FiniteFloat = 1.0
    story_id: BodyId | None = None


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def item(item_id: DbId) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/search")
    def search(story: QueryId) -> dict[str, int]:
        return {"story": story}

    @app.post("/notes")
    def note(body: Note) -> dict[str, object]:
        return body.model_dump()

    install(app, load_settings(env={}, max_request_bytes=4096))
    return app


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=10) as c:
        yield c
    server.should_exit = True
    thread.join(5)


def _post(http: httpx.Client, raw: str) -> httpx.Response:
    return http.post("/notes", content=raw, headers={"Content-Type": "application/json"})


def test_ids_within_the_database_range_pass_and_others_are_422(http: httpx.Client) -> None:
    assert http.get(f"/items/{MAX_ID}").json() == {"id": MAX_ID}
    assert http.get("/search", params={"story": 7}).json() == {"story": 7}
    for bad in (str(MAX_ID + 1), "0", "-5", "9" * 30):
        assert http.get(f"/items/{bad}").status_code == 422
        assert http.get("/search", params={"story": bad}).status_code == 422
    assert _post(http, f'{{"text": "a", "story_id": {MAX_ID + 1}}}').status_code == 422


@pytest.mark.parametrize("raw", [
    '{"text": "lone \\ud800 surrogate"}', '{"text": "nul \\u0000"}', '{"text": "x", "weight": NaN}',
    '{"text": "x", "weight": 1e400}', '{"text": "x", "weight": -Infinity}',
])
def test_unencodable_text_and_non_finite_numbers_are_422(http: httpx.Client, raw: str) -> None:
    answer = _post(http, raw)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][0] == "body"


def test_good_text_and_numbers_pass(http: httpx.Client) -> None:
    answer = _post(http, '{"text": "Zoë’s café 🚲", "weight": 2.5, "story_id": 3}')
    assert answer.json() == {"text": "Zoë’s café 🚲", "weight": 2.5, "story_id": 3}


def test_validation_errors_never_echo_the_value(http: httpx.Client) -> None:
    secret = "s3cr3t-" * 100
    answer = _post(http, f'{{"text": 5, "weight": "{secret}"}}')
    assert answer.status_code == 422
    assert "s3cr3t" not in answer.text
    assert {tuple(e["loc"]) for e in answer.json()["detail"]} == {("body", "text"),
                                                                   ("body", "weight")}


def test_body_limit_from_settings(http: httpx.Client) -> None:
    assert _post(http, '{"text": "' + "a" * 3000 + '"}').status_code == 200
    too_big = _post(http, '{"text": "' + "a" * 5000 + '"}')
    assert too_big.status_code == 413 and "4,096-byte" in too_big.json()["detail"]
