"""Line-shape signals shared by the capture cleaner and the HTML clean-up.

Everything here looks at one line of text on its own: is it a sentence, a caption with a
photo credit, a video duration, a lone counter, an ad label or a call to action? The word
lists are generic web vocabulary (what any news site's chrome says), never one publisher's
strings; the capture cleaner adds the signals that need context (position, repetition).
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime

from dateutil import parser as date_parser

WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
BULLET = re.compile(r"^\s*(?:[•·▪◦●○■□►▸‣⁃◆◇✓✔]|[-–—*](?=\s))\s*")
_SENTENCE_END = re.compile(r"[.!?…。！？]$")
_CLOSERS = "\"'”’»)]*"

AD_LINE = re.compile(
    r"^(?:advertisement|advertising|advert|ads?|anzeige|publicité|publicidad|pubblicità"
    r"|sponsored(?: content| post| by .{1,40})?|promoted(?: content| stories)?"
    r"|paid (?:post|content)|partner content|presented by .{1,40}|supported by"
    r"|(?:the )?(?:story|article) continues below"
    r"(?: advertisement)?|continue reading(?: (?:below|the main story))?|scroll to continue"
    r"(?: with content)?|ad feedback|report (?:this )?ad|skip (?:the )?ad|remove ads)$",
    re.I,
)
# Calls to action that open a promo box: the short lines just above them belong to the box.
PROMO_CTA = re.compile(
    r"^(?:learn more|find out more|discover more|see (?:the )?offer|subscribe(?: now| today| here)?"
    r"|sign up(?: now| today| here| for free)?|try (?:it )?(?:for )?free|start (?:your )?free trial"
    r"|get (?:started|the app|it now)|download (?:the|our) app|join(?: now| us| today)?"
    r"|register(?: now| for free)?|upgrade(?: now)?|unlock (?:this )?(?:article|story)"
    r"|already (?:a subscriber|have an account)\??.{0,30})$",
    re.I,
)
# Page furniture: sharing, navigation, comment counters, consent buttons.
UTILITY_LINE = re.compile(
    r"^(?:share(?: this)?(?: article| story| page| on \w+)?|tweet|email|e-mail|print|copy link"
    r"|link copied|whatsapp|facebook|twitter|x|linkedin|reddit|telegram|pinterest|messenger"
    r"|comments?|view comments|show comments|leave a comment|\d+ comments?|read more|see more"
    r"|show more|load more|more|menu|search|close|back to top|top|home|log ?in|sign in|log ?out"
    r"|sign out|my account|account|save|saved|bookmark|listen(?: to this article)?|gift article"
    r"|follow(?: us)?(?: on \w+)?|accept(?: all)?(?: cookies)?|reject all|manage (?:cookies|"
    r"preferences)|cookie settings|next|previous|prev|skip to (?:main )?content|newsletters?)$",
    re.I,
)
PROMO_WORDS = re.compile(r"\b(?:subscri(?:be|ption)|newsletter|sign up|inbox|free trial|abonnieren"
                         r"|abonnement|abonnez-vous|suscr[ií]b(?:ete|ase|irse)|follow us)\b", re.I)
COUNTER = re.compile(r"^(?:\d[\d,.\s]*[kKmM]?|\d[\d,.]*[kKmM]?\s+(?:comments?|shares?|views?"
                     r"|likes?|reactions?|replies|reads))$")
DURATION = re.compile(r"^(?:(?:video|watch|play)\s*[:|-]?\s*)?\(?\d{1,2}:\d{2}(?::\d{2})?\)?"
                      r"(?:\s*(?:min|mins|minutes))?$", re.I)
# Image agencies and credit words seen on news photos worldwide.
AGENCY = (r"AP|AFP|Reuters|EPA(?:-EFE)?|EFE|Getty(?: Images)?|Shutterstock|Alamy|PA(?: Media)?"
          r"|PA Wire|Xinhua|Bloomberg|Kyodo|Yonhap|AAP|ANP|dpa|DPA|Anadolu(?: Agency)?|ANI|PTI"
          r"|SOPA Images|ZUMA(?: Press| Wire)?|NurPhoto|iStock(?:photo)?|Corbis|Handout|Supplied"
          r"|File(?: photo)?|Pool|Sipa|Imago|Keystone|TASS|Sputnik|Bloomberg via Getty Images")
CREDIT = re.compile(
    r"(?:(?:^|[\s.|/(\[])(?:Photos?|Photograph(?:s|y)?|Photographer|Images?|Pictures?|Pic|"
    r"Illustration|Graphic|Credits?|Foto|Fotos|Bild|Bildquelle|Source|Video|Copyright|Crédits?"
    r"(?: photos?)?)(?:\s+(?:by|credit))?\s*[:：]\s*\S.{0,80}$)"
    rf"|(?:[(\[](?:{AGENCY})(?:\s*(?:/|via|for)\s*[^)\]]{{1,40}})?[)\]]\s*$)"
    rf"|(?:[/|©]\s*(?:[\w.' -]{{0,40}}(?:/|via)\s*)?(?:{AGENCY})\s*$)"
    rf"|(?:(?:Photo|Image|Picture)s?\s*(?:by|©)?\s*(?:{AGENCY})\s*$)"
    rf"|(?:\b(?:AFP|Getty Images|Reuters|EPA|AP Photo|Shutterstock)(?: via Getty Images)?\s*$)",
)
# "Read also: <headline>" in the languages of the pages we meet (English, German, Spanish,
# French, Italian, Portuguese): the prefix marks a link to another story, never prose.
RELATED_PREFIX = re.compile(
    r"^(?:read (?:more|also|next)|also read|related(?: (?:stories|articles?|content))?|see also"
    r"|more on this(?: story)?|recommended|watch|listen|opinion|further reading"
    r"|lesen sie (?:auch|mehr|hier|weiter)|lies auch|auch interessant|siehe auch|mehr (?:zum thema"
    r"|dazu)|zum weiterlesen|weiterlesen|passend dazu|das könnte sie (?:auch )?interessieren"
    r"|lea (?:también|además|más)|lea|lee (?:también|más)|vea (?:también|además)|ver también"
    r"|(?:también )?(?:le|te) puede(?: interesar|n interesar)|mira|noticias relacionadas"
    r"|(?:à )?lire (?:aussi|également)|voir aussi|sur le même sujet|leggi anche"
    r"|leia (?:também|mais))"
    r"\s*[:|>»-]\s*",
    re.I,
)
# A header over a box of links to other stories (same languages as above).
RELATED_HEADER = re.compile(
    r"^(?:related(?: (?:stories|articles|content|topics|coverage|posts))?"
    r"|more (?:on this(?: story)?|stories|from [\w ]{1,30}|news|topics)"
    r"|you (?:may|might) also (?:like|be interested in)|recommended(?: for you| reading)?"
    r"|read (?:more|next|also)|further reading|top stories|most (?:read|popular|viewed)"
    r"|trending(?: now)?|latest(?: news)?"
    r"|lesen sie auch(?: die(?:se| folgenden) (?:beiträge|artikel))?|mehr zum thema(?: .{1,30})?"
    r"|mehr (?:themen|artikel|dazu|aus (?:der|dem) .{1,30})|weitere (?:aktuelle )?(?:artikel|themen"
    r"|beiträge|nachrichten|meldungen|informationen)(?: zum thema| (?:aus|zu|rund um) .{1,40})?"
    r"|top-themen(?: .{1,30})?|zum weiterlesen|das könnte sie (?:auch )?interessieren"
    r"|auch interessant|meistgelesen|meist-?(?:gelesen|diskutiert|kommentiert)"
    r"|kommentierte artikel|noticias relacionadas|le puede interesar|te puede interesar"
    r"|lea también|temas(?: relacionados)?"
    r"|más noticias|sur le même sujet|à lire aussi|lire aussi|articles? similaires"
    r"|leggi anche|articoli correlati)\s*:?$",
    re.I,
)
BYLINE = re.compile(r"^(?:(?:written |reported )?by|von|par|por|di|door|av|af)\s+"
                    r"([A-ZÀ-Þ][\w'’.-]+(?:[ ,]+(?:and |und |et |y )?[A-ZÀ-Þ][\w'’.-]+){0,7})"
                    r"(?:\s*[|,·-]\s*.{0,60})?$", re.I)
_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
DATE_TEXT = re.compile(
    rf"(?:\b\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?"
    rf"(?:Z|[+-]\d{{2}}:?\d{{2}})?)?)"
    rf"|(?:\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}(?:,?\s+\d{{1,2}}[:.]\d{{2}}\s*"
    rf"(?:[ap]\.?m\.?)?)?)"
    rf"|(?:\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?:,?\s+(?:at\s+)?\d{{1,2}}[:.]\d{{2}}"
    rf"\s*(?:[ap]\.?m\.?)?)?)",
    re.I,
)
DATE_LINE_WORDS = re.compile(r"^(?:published|updated|posted|last updated|first published|"
                             r"veröffentlicht|aktualisiert|publié|mis à jour)\b", re.I)
# Publication stamps as labels of their own ("Last modified:", "Stand: 27.01.2022").
STAMP = re.compile(r"^(?:(?:last )?modified|release date|date|letzte änderung|stand|datum"
                   r"|veröffentlichung|aktualisiert am|publicado|actualizado|fecha)\b"
                   r"|^\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}$", re.I)


def words(line: str) -> int:
    """Word count; CJK text has no spaces, so two characters count as one word."""
    count = len(WORD.findall(line))
    cjk = len(CJK.findall(line))
    return count + cjk // 2 if cjk else count


def strip_bullet(line: str) -> str:
    return BULLET.sub("", line, count=1).strip()


def is_bullet(line: str) -> bool:
    return bool(BULLET.match(line)) and len(strip_bullet(line)) > 0


def is_sentence(line: str) -> bool:
    """Ends like prose (full stop, question, quote close), not like a label or headline."""
    core = line.rstrip().rstrip(_CLOSERS).rstrip()
    if _SENTENCE_END.search(core):
        return True
    # A long line introducing a quote or list is prose too.
    return core.endswith(":") and words(line) >= 8


def is_title_shaped(line: str) -> bool:
    """Headline-like: not prose, starts like a title, a sensible length."""
    n = words(line)
    return 2 <= n <= 30 and not is_sentence(line.rstrip("?!")) and not line.endswith(",")


# Credit words that also point at a chart inside prose ("(Graphic: sales by region)"): a
# caption only beside an image.
_WEAK_CREDIT = re.compile(r"^[\s.|/(\[]*(?:Graphic|Illustration)\b")


def is_caption(line: str, *, beside_image: bool = False) -> bool:
    """A photo caption or credit line; chart and source pointers need an image beside them."""
    found = CREDIT.search(line.strip()) if words(line) <= 80 else None
    if found is None:
        return False
    return beside_image or not _WEAK_CREDIT.match(found.group())


def is_ad(line: str) -> bool:
    return bool(AD_LINE.match(_bare(line)))


def is_promo_cta(line: str) -> bool:
    return bool(PROMO_CTA.match(_bare(line)))


def is_utility(line: str) -> bool:
    return bool(UTILITY_LINE.match(_bare(line)))


def is_counter(line: str) -> bool:
    return bool(COUNTER.match(line.strip()))


def is_duration(line: str) -> bool:
    return bool(DURATION.match(line.strip()))


def is_promo_text(line: str) -> bool:
    """Short marketing lines ('Get our newsletter in your inbox') that are not article prose."""
    return words(line) <= 14 and bool(PROMO_WORDS.search(line))


def is_stamp(line: str) -> bool:
    """A short publication or modification stamp, with or without its date."""
    stripped = line.strip()
    return words(stripped) <= 6 and bool(STAMP.match(stripped) or DATE_LINE_WORDS.match(stripped))


def byline_of(line: str) -> str:
    match = BYLINE.match(line.strip())
    return match.group(1).strip(" ,") if match and words(line) <= 14 else ""


def is_date_line(line: str) -> bool:
    """A dateline of its own ('Published 3:00pm, 30 Mar 2022'), not a sentence mentioning one."""
    stripped = line.strip()
    if words(stripped) > 14 or not DATE_TEXT.search(stripped):
        return False
    if DATE_LINE_WORDS.match(stripped):
        return True
    return not is_sentence(stripped) or words(stripped) <= 6


def parse_date(text: str) -> datetime | None:
    """First date in text as an aware UTC datetime (naive times are taken as UTC)."""
    match = DATE_TEXT.search(text or "")
    if not match:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", date_parser.UnknownTimezoneWarning)
        try:
            value = date_parser.parse(match.group(0).replace(" at ", " "), fuzzy=True)
        except (ValueError, OverflowError):
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _bare(line: str) -> str:
    """Line without bullets, arrows and trailing punctuation, for matching whole-line labels."""
    return strip_bullet(line).strip(" \t>»›→|·:.…!").strip()
