"""Is race day hot, and what to tell a runner who trains and races in the heat. Pure.

:func:`race_is_hot` is ``goal.hot`` when the runner said (config key ``goal.hot``); otherwise a
**rule of thumb** from the race's month and the athlete's IANA time zone, which stands in for
where they live and race (no weather forecast, no latitude):

* tropical zones (:data:`TROPICAL_ZONES`: e.g. Asia/Singapore, Asia/Kolkata, America/Panama,
  America/Bogota, Africa/Lagos, Australia/Darwin) are hot all year;
* southern-hemisphere zones (:data:`SOUTHERN_ZONES`, and every zone under
  :data:`SOUTHERN_PREFIXES`: Australia/…, America/Argentina/…) are hot in December, January and
  February;
* every other zone, ``UTC`` and unknown names included, is taken to be northern and hot in June,
  July and August.

Kept simple on purpose: a September race by the Mediterranean or in the US South, a May race in
the Gulf, a race at altitude in the tropics or an away race in another climate are misjudged;
set ``goal.hot`` for those.

The notes (:data:`HEAT_LONG_RUN_NOTE`, :data:`HEAT_RACE_NOTE`) follow:

* Armstrong LE et al. (ACSM) 2007, "Exertional heat illness during training and competition",
  *Med Sci Sports Exerc* 39:556–572: acclimatise over 10–14 days, slow down and lighten
  clothing in the heat, train and race in the cooler morning hours, know the warning signs
  (dizziness, confusion, chills, stopping sweating) and stop.
* Racinais S et al. 2015, "Consensus recommendations on training and competing in the heat",
  *Br J Sports Med* 49:1164–1173: acclimatise by training in the heat for 1–2 weeks, 60–90 min a
  day; pace by effort or heart rate rather than the usual pace; drink to limit weight loss
  without over-drinking, with sodium; cool the body before and during (cold drinks, water over
  head and neck).

Each note stays under :data:`MAX_NOTE_CHARS` so that, with the fuelling text, a workout's notes
still fit a Garmin description.
"""

from __future__ import annotations

from ampt_sync.domain import Goal

#: Months (``date.month``) a race is taken to be hot, by hemisphere.
HOT_MONTHS_NORTH = frozenset({6, 7, 8})
HOT_MONTHS_SOUTH = frozenset({12, 1, 2})

#: Zones taken to be hot all year (the tropics), current names and common aliases. A zone stands
#: for a whole country: America/Bogota is listed for Colombia's lowlands although Bogotá itself is
#: mild; zones named after a cool highland capital (Africa/Nairobi, Africa/Addis_Ababa,
#: America/Guatemala, America/Mexico_City) are left out.
TROPICAL_ZONES = frozenset(
    {
        # Asia
        "Asia/Singapore",
        "Asia/Kuala_Lumpur",
        "Asia/Kuching",
        "Asia/Brunei",
        "Asia/Jakarta",
        "Asia/Pontianak",
        "Asia/Makassar",
        "Asia/Jayapura",
        "Asia/Dili",
        "Asia/Manila",
        "Asia/Bangkok",
        "Asia/Ho_Chi_Minh",
        "Asia/Saigon",
        "Asia/Phnom_Penh",
        "Asia/Vientiane",
        "Asia/Yangon",
        "Asia/Rangoon",
        "Asia/Kolkata",
        "Asia/Calcutta",
        "Asia/Colombo",
        "Asia/Dhaka",
        "Indian/Maldives",
        "Indian/Mahe",
        # the Americas
        "America/Panama",
        "America/Bogota",
        "America/Caracas",
        "America/Guayaquil",
        "America/Costa_Rica",
        "America/Managua",
        "America/Tegucigalpa",
        "America/El_Salvador",
        "America/Belize",
        "America/Cancun",
        "America/Merida",
        "America/Santo_Domingo",
        "America/Puerto_Rico",
        "America/Jamaica",
        "America/Port-au-Prince",
        "America/Port_of_Spain",
        "America/Barbados",
        "America/Martinique",
        "America/Guadeloupe",
        "America/Curacao",
        "America/Aruba",
        "America/Guyana",
        "America/Paramaribo",
        "America/Cayenne",
        "America/Manaus",
        "America/Belem",
        "America/Fortaleza",
        "America/Recife",
        "America/Maceio",
        "America/Bahia",
        "America/Santarem",
        "America/Porto_Velho",
        "America/Rio_Branco",
        # Africa
        "Africa/Lagos",
        "Africa/Accra",
        "Africa/Abidjan",
        "Africa/Dakar",
        "Africa/Banjul",
        "Africa/Bissau",
        "Africa/Conakry",
        "Africa/Freetown",
        "Africa/Monrovia",
        "Africa/Lome",
        "Africa/Porto-Novo",
        "Africa/Bamako",
        "Africa/Ouagadougou",
        "Africa/Niamey",
        "Africa/Ndjamena",
        "Africa/Khartoum",
        "Africa/Douala",
        "Africa/Malabo",
        "Africa/Libreville",
        "Africa/Brazzaville",
        "Africa/Kinshasa",
        "Africa/Bangui",
        "Africa/Mogadishu",
        "Africa/Djibouti",
        "Africa/Dar_es_Salaam",
        # Oceania
        "Australia/Darwin",
        "Pacific/Port_Moresby",
        "Pacific/Guam",
        "Pacific/Saipan",
        "Pacific/Palau",
        "Pacific/Fiji",
        "Pacific/Honolulu",
    }
)

#: Southern-hemisphere zones outside the tropics (or with a southern summer), and aliases.
SOUTHERN_ZONES = frozenset(
    {
        "America/Santiago",
        "America/Punta_Arenas",
        "America/Sao_Paulo",
        "America/Campo_Grande",
        "America/Cuiaba",
        "America/Montevideo",
        "America/Asuncion",
        "America/Buenos_Aires",
        "America/Cordoba",
        "America/Mendoza",
        "America/Lima",
        "America/La_Paz",
        "Africa/Johannesburg",
        "Africa/Maputo",
        "Africa/Harare",
        "Africa/Lusaka",
        "Africa/Blantyre",
        "Africa/Lubumbashi",
        "Africa/Windhoek",
        "Africa/Gaborone",
        "Africa/Maseru",
        "Africa/Mbabane",
        "Africa/Luanda",
        "Indian/Antananarivo",
        "Indian/Reunion",
        "Indian/Mauritius",
        "Pacific/Auckland",
        "Pacific/Chatham",
        "Pacific/Noumea",
        "Pacific/Tongatapu",
        "Pacific/Apia",
        "Pacific/Tahiti",
        "Pacific/Easter",
        "Pacific/Norfolk",
        "NZ",
        "NZ-CHAT",
        "Chile/Continental",
        "Chile/EasterIsland",
        "Brazil/East",
    }
)

#: Every zone under these is southern (unless it is in :data:`TROPICAL_ZONES`).
SOUTHERN_PREFIXES = ("Australia/", "America/Argentina/")

#: The most characters a heat note may have (Garmin descriptions also hold the fuelling text).
MAX_NOTE_CHARS = 300

HEAT_LONG_RUN_NOTE = (
    "Heat: race day may be hot, so use warm days to acclimatise (10–14 days of runs in the heat, "
    "60–90 min). Go by effort or heart rate, not pace: slow down. Start early, wear light "
    "clothing, drink to thirst with some salt. Dizzy or confused: stop."
)

HEAT_RACE_NOTE = (
    "Heat: run by effort, not pace; start slower than planned and expect a slower time. Wear "
    "light clothing, pour water over your head, drink to thirst with electrolytes, not more. "
    "Dizzy, confused or chills: stop and get help."
)


def is_tropical(timezone: str) -> bool:
    """Whether ``timezone`` is taken to be hot all year (see :data:`TROPICAL_ZONES`)."""
    return timezone in TROPICAL_ZONES


def is_southern(timezone: str) -> bool:
    """Whether ``timezone`` is taken to be in the southern hemisphere (a rule of thumb)."""
    return timezone in SOUTHERN_ZONES or timezone.startswith(SOUTHERN_PREFIXES)


def race_is_hot(goal: Goal, timezone: str) -> bool:
    """``goal.hot`` when set; otherwise the rule of thumb of this module's docstring, by the
    race's month and the athlete's IANA ``timezone``."""
    if goal.hot is not None:
        return goal.hot
    if is_tropical(timezone):
        return True
    hot_months = HOT_MONTHS_SOUTH if is_southern(timezone) else HOT_MONTHS_NORTH
    return goal.day.month in hot_months
