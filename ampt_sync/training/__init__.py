"""The training engine: pure functions over plain data (no I/O, no clock, no database).

``fitness`` (VDOT, race times, training paces, critical speed, time-off decay, the current
estimate), ``classify`` (what kind of run an activity was, and whether to trust it), ``load``
(volume, caps, gaps), ``library`` (the AMPT workout templates), ``inventory`` (the seed's first
step: what the runner does now). The planner: ``periodise`` (weeks, phases, cutbacks, where the
volume starts), ``layout`` (which weekdays hold quality and strength), ``render`` (sizes to library
workouts and back), ``measure`` (what the rules count), ``planner`` (the week builder and
``generate_plan``), ``replan`` (the future planned afresh, plans extended). The adaptation:
``matching`` (done, partial, missed), ``draft`` (a plan being edited), ``wording`` (reasons in a
runner's words), ``adapt`` (the rules, in their order). Today's date always comes in as an
argument.
"""
