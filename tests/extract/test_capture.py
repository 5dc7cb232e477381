"""The page-capture cleaner on the real seed page and on captures written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.extract import clean_capture

CHROME_IN_SEED = ["Advertisement", "Learn more", "01:45", "Photo:"]


@pytest.fixture(scope="module")
def seed(shared_dir: Path) -> str:
    return (shared_dir / "fixtures" / "seed-page.txt").read_text(encoding="utf-8")


@pytest.mark.shared
def test_seed_page_fields(seed: str) -> None:
    article = clean_capture(seed)
    lines = [line.strip() for line in seed.splitlines() if line.strip()]
    headline = next(line for line in lines if line.startswith("Russia’s top diplomat"))
    assert article.title == headline
    assert article.topic_label == lines[2]  # the short label shown above the promo box
    assert len(article.key_points) == 2
    assert all(not p.startswith("•") for p in article.key_points)
    assert len(article.captions) == 2
    assert all("Photo:" in c for c in article.captions)
    assert any(r.startswith("Amid Ukraine war") for r in article.related)
    assert any("no limits" in r for r in article.related)


@pytest.mark.shared
def test_seed_page_body_has_no_chrome(seed: str) -> None:
    article = clean_capture(seed)
    paragraphs = article.text.split("\n\n")
    lines = [line.strip() for line in seed.splitlines() if line.strip()]
    first_body = next(line for line in lines if line.startswith("Russia’s foreign minister had"))
    assert paragraphs[0] == first_body
    assert paragraphs[-1] == lines[-2]  # the last real paragraph, before the lone counter
    for chrome in CHROME_IN_SEED:
        assert chrome not in article.text
    assert article.topic_label not in paragraphs
    assert not any(p in article.text for p in article.related)
    assert not any(c in article.text for c in article.captions)
    assert article.title not in article.text
    assert "\n\n87" not in article.text


PROSE = [
    "The city council voted on Tuesday to expand the river ferry service to three new "
    "stops, a move officials said would cut commuting times for thousands of residents.",
    "Mayor Lena Ortiz said the expansion would be paid for by a regional transport grant "
    "and would not raise fares for existing passengers in the coming year.",
    "Critics on the council argued that the money would be better spent on repairing "
    "bridges, several of which have been closed for inspection since last winter.",
    "The first new stop is expected to open in the spring, with the others following "
    "before the end of next year, according to the transport department.",
]


def _capture(*parts: str) -> str:
    return "\n".join(parts)


def test_synthetic_capture_with_other_wording() -> None:
    text = _capture(
        "Skip to main content", "Menu", "Search", "Sponsored", "",
        "City", "Subscribe to our morning briefing", "Fresh local news in your inbox daily",
        "Sign up now", "",
        "Council backs river ferry expansion to three new stops", "",
        "By Maria Keller", "Published 12 March 2024", "",
        "- Ferry service will reach three new stops by next year",
        "- Regional grant pays for the expansion, fares unchanged",
        "City", "",
        PROSE[0], "",
        "A ferry leaves the northern terminal at dawn. (AFP)", "",
        PROSE[1], "", "2:07", "Inside the new ferry terminal", "Inside the new ferry terminal",
        "", "Read more: Bridge closures leave commuters facing long detours", "",
        PROSE[2], "", "ADVERTISEMENT", "",
        "Commuters queue at the pier on Monday morning. Getty Images", "",
        PROSE[3], "", "1,204", "Share this article", "Comments",
        "© 2024 Example Media. All rights reserved.",
    )
    article = clean_capture(text)
    assert article.title == "Council backs river ferry expansion to three new stops"
    assert article.topic_label == "City"
    assert article.byline == "Maria Keller"
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2024-03-12"
    assert article.key_points == [
        "Ferry service will reach three new stops by next year",
        "Regional grant pays for the expansion, fares unchanged",
    ]
    assert article.text.split("\n\n") == PROSE
    assert article.captions == [
        "A ferry leaves the northern terminal at dawn. (AFP)",
        "Commuters queue at the pier on Monday morning. Getty Images",
    ]
    assert "Inside the new ferry terminal" in article.related
    assert "Bridge closures leave commuters facing long detours" in article.related


@pytest.mark.parametrize(
    "caption",
    [
        "Rescue workers search the rubble on Sunday. Photo: Reuters",
        "Rescue workers search the rubble on Sunday (AFP via Getty Images)",
        "Rescue workers search the rubble on Sunday. Picture: Jane Doe/EPA",
        "Rescue workers search the rubble on Sunday. Image credit: Supplied",
        "Rescue workers search the rubble on Sunday | Photographer: Ana Lima/Bloomberg",
    ],
)
def test_caption_credit_styles_leave_the_body(caption: str) -> None:
    article = clean_capture(_capture(PROSE[0], "", caption, "", PROSE[1], "", PROSE[2]))
    assert article.captions == [caption]
    assert article.text.split("\n\n") == PROSE[:3]


@pytest.mark.parametrize("duration", ["0:59", "12:30", "1:02:45", "(03:10)"])
def test_video_stub_with_any_duration_is_lifted_out(duration: str) -> None:
    title = "Watch the storm hit the coast from above"
    article = clean_capture(_capture(PROSE[0], "", duration, "", title, "", title, "",
                                     PROSE[1], PROSE[2]))
    assert article.text.split("\n\n") == PROSE[:3]
    assert article.related == [title]


def test_short_subheadings_stay_in_the_body() -> None:
    article = clean_capture(_capture(PROSE[0], "", "What happens next", "", PROSE[1], PROSE[2]))
    assert article.text.split("\n\n") == [PROSE[0], "What happens next", PROSE[1], PROSE[2]]


def test_promo_box_without_blank_lines_is_chrome() -> None:
    article = clean_capture(_capture(
        "Technology", "Try our new app", "All your favourite topics in one place",
        "Get the app", "", "Ferry service grows as the city expands its river routes", "",
        *PROSE,
    ))
    assert article.title == "Ferry service grows as the city expands its river routes"
    assert article.topic_label == "Technology"
    assert article.text.split("\n\n") == PROSE


def test_capture_with_no_prose_gives_empty_text() -> None:
    article = clean_capture("Home\nNews\nSport\nWeather\n\nLog in\n123\n")
    assert article.text == ""
    assert article.warning == "no article text found"


@pytest.mark.parametrize("text", ["", "   \n\n  ", "\x0c\x0b"])
def test_empty_capture(text: str) -> None:
    article = clean_capture(text)
    assert article.text == ""
    assert article.warning


def test_capture_in_other_scripts() -> None:
    zh = ["北京市政府周二宣布，将在明年扩大地铁网络，新增三条线路以缓解交通压力。",
          "官员表示，新线路将连接城市东部的新住宅区，预计每天可服务数十万名乘客。"]
    article = clean_capture(_capture("广告", "", *zh, "", "87"))
    assert article.text.split("\n\n") == zh


def test_window_title_and_heading_give_the_headline_without_site_name() -> None:
    headline = "Council backs river ferry expansion to three new stops"
    article = clean_capture(_capture(
        f"{headline} | Example Daily", "Menu", "Search", "12.03.2024 · 09:30", "",
        headline, "", *PROSE,
    ))
    assert article.title == headline
    assert article.text.split("\n\n") == PROSE


def test_date_stamp_is_never_the_headline() -> None:
    article = clean_capture(_capture(
        "Pressemitteilung vom 12.03.2024", "", "Council backs river ferry expansion", "", *PROSE,
    ))
    assert article.title == "Council backs river ferry expansion"


WRAPPED = [
    "The harbour board voted on Thursday to keep the night ferry running through the",
    "winter, reversing a decision taken in the spring after fuel costs rose by a third",
    "and passenger numbers fell below the level the operator needs to break even.",
    "",
    "Board members said the service was a lifeline for shift workers at the hospital",
    "and the container terminal, and that the subsidy would be reviewed in March when",
    "the new timetable is published.",
]


def test_hard_wrapped_plain_text_keeps_every_paragraph_whole() -> None:
    text = _capture("Night ferry saved for the winter", "", *WRAPPED)
    article = clean_capture(text)
    paragraphs = [" ".join(WRAPPED[:3]), " ".join(WRAPPED[4:])]
    assert article.text.split("\n\n") == paragraphs
    assert article.related == []


@pytest.mark.parametrize("paragraph", [
    # Body prose that only lacks its full stop, or trails into a list: not another story.
    "The board, which meets monthly, said the ferry would run until at least April, with "
    "a review of fares, timetables and crewing before then; members of the public may put "
    "questions in writing to the clerk, who will pass them to the operator and publish the "
    "answers with the minutes (the next meeting is on the first Tuesday of the month)",
    "Passengers will need to book ahead on the late sailings and show a ticket at the gate;",
])
def test_body_lines_without_a_full_stop_stay_in_the_body(paragraph: str) -> None:
    article = clean_capture(_capture(PROSE[0], "", paragraph, "", PROSE[1], "", PROSE[2]))
    assert article.text.split("\n\n") == [PROSE[0], paragraph, PROSE[1], PROSE[2]]
    assert paragraph not in article.related


def test_a_headline_below_the_title_is_not_joined_to_its_byline() -> None:
    text = _capture("Night ferry saved for the winter after harbour board vote",
                    "by Ana Ruiz", "", PROSE[0], "", PROSE[1])
    article = clean_capture(text)
    assert article.title == "Night ferry saved for the winter after harbour board vote"
    assert article.text.split("\n\n") == PROSE[:2]
