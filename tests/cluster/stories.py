"""Synthetic news articles written for these tests: two outlets per event, different wording."""

from __future__ import annotations

QUAKE_CHILE_A = (
    "Strong earthquake shakes central Chile",
    "A magnitude 7.1 earthquake struck off the coast of Valparaiso on Tuesday morning, "
    "shaking buildings in Santiago and sending residents into the streets. The Chilean "
    "navy briefly issued a tsunami warning for the Valparaiso coast before lifting it. "
    "Officials in Valparaiso reported cracked roads and two injuries but no deaths. "
    "The quake was centred 40 kilometres west of Valparaiso at a depth of 25 kilometres.",
)
QUAKE_CHILE_B = (
    "Valparaiso quake: Chile lifts tsunami alert after 7.1 tremor",
    "Chilean authorities lifted a tsunami alert on Tuesday after a 7.1 magnitude quake hit "
    "the sea off Valparaiso. Residents of Santiago and Valparaiso fled their homes as the "
    "ground shook for almost a minute. Emergency services in Valparaiso counted two people "
    "hurt and some damaged roads; the Chilean navy monitored the coast for hours.",
)
QUAKE_JAPAN = (
    "Earthquake hits northern Japan, Sendai rail halted",
    "A magnitude 6.4 earthquake struck Miyagi prefecture in northern Japan on Saturday, "
    "halting bullet trains around Sendai. The Japan Meteorological Agency said there was no "
    "tsunami risk. Tohoku Electric checked its Onagawa plant and found no damage. Sendai "
    "hospitals treated eleven people for minor injuries after the tremor in Miyagi.",
)
REHAB = (
    "Singer Mara Quell enters rehab clinic",
    "Pop singer Mara Quell has checked into the Lakeshore Recovery Centre in Minnesota, her "
    "publicist Dana Wirth confirmed on Friday. Quell cancelled the rest of her spring tour. "
    "Wirth asked fans to respect the privacy of Quell and her family.",
)
SYNDICATED_FOOTER = "\nThis story came from a wire service and is republished with permission."
