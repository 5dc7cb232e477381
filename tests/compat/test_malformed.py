"""Malformed sync requests, generated over every endpoint of both protocols: each required
parameter left out, repeated with another value, or replaced by an absurd one; bad item ids;
wrong or missing tokens; 10,000 `i` values. Every answer is a 4xx, never a 5xx; the cases that
are wrong whatever the server (no token, no parameter, bad id, too many ids) are a 4xx."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

from tests.compat.conftest import USER, SyncServer

API = "/reader/api/0"
ABSURD = ["", "x" * 5000, "\x00", "-1", "99999999999999999999999999", "feed/abc",
          f"feed/{2**63}", "user/-/label/" + "a" * 300, "tag:google.com,2005:reader/item/zz",
          "é✓\u202e", "../{}"]


@dataclass
class Endpoint:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    auth: bool = True
    in_query: bool = False


def _endpoints(server: SyncServer) -> list[Endpoint]:
    feed, article = f"feed/{server.sources['/harbour.xml']}", str(server.article_ids()[0])
    return [
        Endpoint("POST", "/accounts/ClientLogin",
                 {"Email": USER, "Passwd": server.app_password}, ("Email", "Passwd"), False),
        *(Endpoint("GET", f"{API}/{p}") for p in ("token", "user-info", "tag/list",
                                                   "subscription/list", "unread-count")),
        Endpoint("POST", f"{API}/subscription/edit", {"ac": "edit", "s": feed, "t": "Harbour"},
                 ("ac", "s")),
        Endpoint("POST", f"{API}/subscription/quickadd", {"quickadd": "not a feed"},
                 ("quickadd",)),
        Endpoint("GET", f"{API}/stream/items/ids",
                 {"s": "user/-/state/com.google/reading-list", "n": "100", "c": "5",
                  "ot": "1", "nt": "4102444800", "r": "o",
                  "xt": "user/-/state/com.google/read"}, ("s",), in_query=True),
        Endpoint("POST", f"{API}/stream/items/contents", {"i": article}, ("i",)),
        Endpoint("GET", f"{API}/stream/contents/{feed}", {"n": "5", "c": "9", "ot": "1"},
                 in_query=True),
        Endpoint("GET", f"/reader/atom/{feed}", {"n": "5"}, in_query=True),
        Endpoint("POST", f"{API}/edit-tag",
                 {"i": article, "a": "user/-/state/com.google/starred"}, ("i",)),
        Endpoint("POST", f"{API}/mark-all-as-read", {"s": feed, "ts": "1"}, ("s",)),
        Endpoint("POST", f"{API}/rename-tag",
                 {"s": "user/-/label/Nowhere", "dest": "user/-/label/Elsewhere"},
                 ("s", "dest")),
        Endpoint("POST", f"{API}/disable-tag", {"s": "user/-/label/Nowhere"}, ("s",)),
    ]


@dataclass
class Case:
    endpoint: Endpoint
    params: list[tuple[str, str]]
    headers: dict[str, str]
    why: str
    must_fail: bool  # wrong whatever the server: must be a 4xx


def _cases(ep: Endpoint, auth: dict[str, str]) -> Iterator[Case]:
    base = list(ep.params.items())
    if ep.auth:
        for header in ("", "GoogleLogin auth=", "GoogleLogin auth=wrong", "Bearer tdg_x",
                       "GoogleLogin auth=" + "a" * 5000, "GoogleLogin", "auth=x"):
            yield Case(ep, base, {"Authorization": header}, f"token {header[:20]!r}", True)
    for name in ep.required:
        yield Case(ep, [p for p in base if p[0] != name], auth, f"no {name}", True)
    for name, value in ep.params.items():
        others = [p for p in base if p[0] != name]
        yield Case(ep, [*others, (name, value), (name, value + "7")], auth,
                   f"{name} repeated", name not in {"i", "a", "r"})
        for absurd in ABSURD:
            yield Case(ep, [*others, (name, absurd)], auth, f"{name}={absurd[:20]!r}", False)


def _post(http: httpx.Client, path: str, pairs: list[tuple[str, str]],
          headers: dict[str, str] | None = None) -> httpx.Response:
    return http.post(path, content=urlencode(pairs), headers={
        "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def _send(http: httpx.Client, case: Case) -> httpx.Response:
    ep = case.endpoint
    if ep.method == "GET" or ep.in_query:
        return http.request(ep.method, ep.path, params=case.params, headers=case.headers)
    return _post(http, ep.path, case.params, case.headers)


def test_every_malformed_google_reader_request_is_a_4xx(server: SyncServer) -> None:
    auth = {"Authorization": f"GoogleLogin auth={server.login()}"}
    cases = [c for ep in _endpoints(server) for c in _cases(ep, auth)]
    assert len(cases) > 300
    wrong = []
    with server.http() as http:
        for case in cases:
            answer = _send(http, case)
            if answer.status_code >= 500 or (case.must_fail and answer.status_code < 400):
                wrong.append((case.endpoint.path, case.why, answer.status_code))
    assert wrong == []


def test_ten_thousand_ids_and_bad_ids_are_refused(server: SyncServer) -> None:
    auth = {"Authorization": f"GoogleLogin auth={server.login()}"}
    many = [("i", str(n)) for n in range(1, 10_001)]
    with server.http(**auth) as http:
        for path in ("stream/items/contents", "edit-tag"):
            answer = _post(http, f"{API}/{path}", [*many, ("a", "user/-/state/com.google/read")])
            assert answer.status_code == 400, answer.text
        for bad in ("tag:google.com,2005:reader/item/", "0x1f", "1.5", str(2**63), "f" * 17):
            answer = http.post(f"{API}/edit-tag", data={"i": bad, "a": "x"})
            assert answer.status_code == 400, bad
    assert len(server.unread_ids()) == len(server.article_ids())  # nothing was marked


def test_every_malformed_fever_request_is_a_4xx(server: SyncServer) -> None:
    key = hashlib.md5(f"{USER}:{server.app_password}".encode()).hexdigest()
    article = str(server.article_ids()[0])
    queries = ["mark=item&as=read", "mark=item&id=1", "mark=feed&as=saved&id=1",
               "mark=group&as=read&id=", "mark=item&as=read&id=" + str(2**63),
               "items&with_ids=" + ",".join(map(str, range(1, 10_001))),
               "mark=item&as=read&id=abc", "mark=feed&as=read&id=999999&before=1",
               "mark=group&as=read&id=12345&before=1", "mark=item&as=burn&id=" + article,
               "items&since_id=" + "9" * 30, "mark=feed&as=read&id=1&before=" + "9" * 30]
    wrong = []
    with server.http() as http:
        for query, path in itertools.product(["", "feeds", "items", *queries],
                                             ("/fever/", "/api/fever.php")):
            keys = ["0" * 32, "", "x" * 999, key.upper() + "0"] + ([key] if query in queries
                                                                    else [])
            for api_key in keys:
                url = f"{path}?api&{query}"
                answer = http.post(url, data={"api_key": api_key} if api_key else {})
                if not 400 <= answer.status_code < 500:
                    wrong.append((url[:60], api_key[:8], answer.status_code))
        assert http.post("/fever/", data={"api_key": key}).status_code == 400  # no ?api
    assert wrong == []
