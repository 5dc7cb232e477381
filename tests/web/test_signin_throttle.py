"""Sign-in throttling on its own server (it blocks the test client's address for a while):
the same answer for an unknown user and a wrong password, 429 with Retry-After past the
limit, for the account and for the address."""

from __future__ import annotations

from tests.web.conftest import LiveServer


def test_unknown_user_and_wrong_password_get_the_same_answer(live: LiveServer) -> None:
    live.add_reader("fay")
    with live.anonymous() as http:
        unknown = http.post("/api/v1/session", json={"name": "nobody", "password": "guess"})
        wrong = http.post("/api/v1/session", json={"name": "fay", "password": "guess"})
        form_unknown = http.post("/signin", data={"name": "nobody", "password": "guess"})
        form_wrong = http.post("/signin", data={"name": "fay", "password": "guess"})
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert unknown.status_code == 401
    assert form_unknown.status_code == form_wrong.status_code == 401
    assert form_unknown.text.replace("nobody", "fay") == form_wrong.text


def test_too_many_failures_get_429_with_retry_after(live: LiveServer) -> None:
    live.add_reader("gus")
    limit = live.settings.signin_max_failures
    with live.anonymous() as http:
        answers = [http.post("/api/v1/session", json={"name": "gus", "password": f"no {n}"})
                   for n in range(limit + 2)]
        right_but_blocked = http.post("/api/v1/session", json={
            "name": "gus", "password": "correct horse battery staple"})
        other_account = http.post("/api/v1/session", json={
            "name": "fay", "password": "correct horse battery staple"})
        form = http.post("/signin", data={"name": "gus", "password": "x"})
    codes = [a.status_code for a in answers]
    spent = 4  # the test above failed four times from this address
    assert codes == [401] * (limit - spent) + [429] * (spent + 2)
    assert codes[-1] == 429 and 0 < int(answers[-1].headers["retry-after"]) <= 15 * 60
    assert right_but_blocked.status_code == 429
    assert other_account.status_code == 429  # the address is over its limit too
    assert form.status_code == 429 and form.headers["retry-after"]


def test_one_account_is_protected_from_guesses_spread_over_many_addresses(
        live: LiveServer) -> None:
    import httpx  # noqa: PLC0415

    live.add_reader("hal")
    codes = []
    for n in range(live.settings.signin_max_failures + 1):
        transport = httpx.HTTPTransport(local_address=f"127.0.1.{n + 1}")
        with httpx.Client(base_url=live.base, transport=transport, timeout=10) as http:
            codes.append(http.post("/api/v1/session",
                                   json={"name": "hal", "password": f"guess {n}"}).status_code)
    limit = live.settings.signin_max_failures
    assert codes == [401] * limit + [429]


def test_an_unknown_user_costs_a_password_check_too(live: LiveServer, monkeypatch) -> None:
    """No enumeration by time: the unknown-user answer runs the same Argon2 verification
    (counted, not timed: timings do not belong in tests)."""
    from tidings import auth  # noqa: PLC0415

    live.add_reader("ivy")
    calls: list[str | None] = []
    real = auth.verify_password

    def counting(stored: str | None, password: str) -> bool:
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    import httpx  # noqa: PLC0415

    with httpx.Client(base_url=live.base, timeout=10,
                      transport=httpx.HTTPTransport(local_address="127.0.2.1")) as http:
        http.post("/api/v1/session", json={"name": "no-such-reader", "password": "guess"})
        http.post("/api/v1/session", json={"name": "ivy", "password": "guess"})
    assert len(calls) == 2 and calls[0] is None and calls[1] is not None
