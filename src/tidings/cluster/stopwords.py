"""English words too common to say which event an article is about.

Written for this project: function words, plus the reporting verbs and time words that every
news story uses ("said", "told", "according", "today") and that would otherwise make any two
articles look alike.
"""

from __future__ import annotations

_FUNCTION_WORDS = """
a about above across after afterwards again against all almost alone along already also
although always am among amongst an and another any anyhow anyone anything anyway anywhere
are around as at be became because become becomes becoming been before beforehand behind
being below beside besides between beyond both but by can cannot could did do does doing
done down during each either else elsewhere enough etc even ever every everyone everything
everywhere except few for former formerly from further had has have having he hence her
here hereafter hereby herein hers herself him himself his how however i if in indeed into
is it its itself just latter latterly least less many may me meanwhile might mine more
moreover most mostly much must my myself namely neither never nevertheless next no nobody
none noone nor not nothing now nowhere of off often on once one only onto or other others
otherwise our ours ourselves out over own per perhaps please rather same seem seemed
seeming seems several she should since so some somehow someone something sometime
sometimes somewhere still such than that the their theirs them themselves then thence
there thereafter thereby therefore therein thereupon these they this those though through
throughout thru thus to together too toward towards under until up upon us very via was
we well were what whatever when whence whenever where whereafter whereas whereby wherein
whereupon wherever whether which while whither who whoever whole whom whose why will with
within without would yet you your yours yourself yourselves
s t d ll m re ve don doesn didn isn wasn aren weren won wouldn couldn shouldn hasn haven
hadn let lets got get gets getting go goes going gone went make makes made making take
takes took taken come comes came want wants wanted use used using like also really
"""

_NEWS_WORDS = """
said says say saying told tell tells telling according reported reports report reporting
added adds asked ask statement statements announced announce announces claimed claims
news article story stories update updated updates published posted read reading click
photo photos video videos image images copyright reserved rights reuters ap afp via
mr mrs ms dr
today yesterday tomorrow tonight week weeks weekend month months year years day days
time times ago earlier later recently recent currently new old first last second third
people person man woman men women thing things way ways lot lots part parts
"""

FUNCTION_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS.split())
STOP_WORDS: frozenset[str] = FUNCTION_WORDS | frozenset(_NEWS_WORDS.split())
