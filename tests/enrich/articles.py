"""Small synthetic articles written for these tests (invented people and events).

Each one isolates a case the seed page does not prove in general: two people sharing a
surname, he/she resolution by gender evidence, an unnamed spokesman, "according to", a
statement referred to later, and text in another language.
"""

from __future__ import annotations

from tidings.models import Article

STRIKE = Article(
    title="Port strike talks stall as union and ministry trade blame",
    text=(
        "Transport Minister Helen Carter met union leaders in Portsmouth on Tuesday to end a "
        "week-long strike at the docks. Carter said her department had offered a fair deal and "
        "would not reopen the talks.\n\n"
        "The union's general secretary, David Carter, rejected the offer on behalf of his "
        "members. “This is not a negotiation, it is an ultimatum,” Carter told reporters "
        "outside the port. He added that the dockers had not been consulted about the new "
        "shift patterns.\n\n"
        "“We have put more money on the table than at any point in the last decade,” she said.\n\n"
        "A spokesman for the ministry, Paul Hughes, said the offer would remain open until "
        "Friday. The spokesman said officials were ready to meet again at short notice.\n\n"
        "According to Sarah Lim, an economist at the University of Leeds, the strike has "
        "already cost the local economy about 40 million pounds.\n\n"
        "A statement from the union said the dockers would hold a ballot on further action "
        "next week. “Our members will decide, not the minister,” the statement said."
    ),
)

SHARED_SURNAME = Article(
    title="Two Zhangs, two views on the new rail line",
    text=(
        "Zhang Wei, the mayor of Harbin, opened the new rail line on Monday. Zhang said the "
        "line would cut travel times to the coast by half.\n\n"
        "Critics were less convinced. Zhang Min, a transport researcher at Tsinghua "
        "University, said the fares were too high for most commuters. Zhang added that the "
        "trains had been running half empty during the trial period.\n\n"
        "The city government said in a notice that fares would be reviewed in the spring."
    ),
)

UNNAMED_SPOKESMAN = Article(
    title="Airline cancels flights after software fault",
    text=(
        "Hundreds of passengers were stranded at Manchester Airport on Sunday after a software "
        "fault grounded all flights operated by Northwind Airways.\n\n"
        "A spokesman for the airline said engineers had found the cause and expected a full "
        "service to resume by Monday morning. Passenger groups said the company should "
        "compensate everyone whose journey was cancelled."
    ),
)

GERMAN = Article(
    title="Stadtrat beschließt neuen Radweg",
    text=(
        "Der Stadtrat hat am Dienstag beschlossen, entlang des Flusses einen neuen Radweg zu "
        "bauen. Die Bürgermeisterin sagte, die Arbeiten sollen im Frühjahr beginnen und bis "
        "zum Herbst abgeschlossen sein. Anwohner hatten sich seit Jahren für eine sichere "
        "Verbindung zwischen der Altstadt und dem Bahnhof eingesetzt."
    ),
    topic_label="Lokales",
)

COURT = Article(
    title="Hearing opens in Accra",
    text=(
        "Judge Amara Osei opened the hearing in Accra on Monday. “The court will hear every "
        "witness before it rules,” said Osei.\n\n"
        "The defence lawyer, Kwame Mensah, said: “My client has nothing to hide.” Mensah told "
        "journalists that the case was politically motivated.\n\n"
        "Osei's clerk, Ms Abena Boateng, later said the hearing would resume on Thursday."
    ),
)

TITLED = Article(
    title="Flood crews pull two from car roof as coast road closes",
    text=(
        "Oren Blackwood, a station officer with the county fire service, led the rescue on "
        "the coast road on Tuesday night. Selma Iversen runs the emergency unit at the "
        "district hospital.\n\n"
        "“The water came up far quicker than anyone expected, and we had two people on a car "
        "roof,” Mr Blackwood said.\n\n"
        "Dr Iversen said the ward had treated forty patients before noon.\n\n"
        "“Nobody should drive through standing water,” said Dr. Iversen.\n\n"
        "“We are reviewing every closure on that road,” Ms Quarrie said."
    ),
)
