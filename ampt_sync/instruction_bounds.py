"""What a runner's instruction may say: who gives it, how unwell, for how long, which tune-up
priority. The domain model validates instructions against these; the CLI names them in its
options' help, so they live apart from :mod:`ampt_sync.domain`, whose classes `--help` does not
need to build (about 25 ms on this machine, more on a Pi)."""

#: Who gave an instruction: the command line or the runner's page.
INSTRUCTION_SOURCES = ("cli", "web")
#: ``ampt-sync unwell --level``: easy and shorter, or rest.
UNWELL_LEVELS = ("tired", "ill")
#: ``ampt-sync unwell --days`` runs from 1 to this many days.
UNWELL_MAX_DAYS = 14
#: ``ampt-sync race add --priority``: b (two or three easy days before it) or c (two).
RACE_PRIORITIES = ("b", "c")
