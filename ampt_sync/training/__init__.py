"""The training engine: pure functions over plain data (no I/O, no clock, no database).

``fitness`` (VDOT, race times, training paces, critical speed, time-off decay, the current
estimate), ``classify`` (what kind of run an activity was, and whether to trust it), ``load``
(volume, caps, gaps), ``library`` (the AMPT workout templates), ``heat`` (is the race hot),
``inventory`` (the seed's first step: what the runner does now).

The planner: ``periodise`` (weeks, phases, cutbacks, where the volume starts), ``targets`` (a
peak week and long run sized to the goal, and the staircase to them), ``layout`` (which weekdays
hold quality and strength), ``progression`` (each speed session's shape at its place in the
build), ``render`` (sizes to library workouts and back), ``measure`` (what the rules count),
``keys`` (stable workout keys), ``weeks`` (the week builder), ``planner`` (``generate_plan``,
the plan's warnings, and the order in which rules win), ``replan`` (the future planned afresh,
plans extended).

The adaptation: ``matching`` (done, partial, missed), ``draft`` (a plan being edited),
``adapt_state`` (what the rules look at, and where a session may go), ``adapt_rules`` (missed
sessions, runs beyond plan, overreaching), ``adapt_caps`` (the safety caps), ``wording``
(reasons in a runner's words), ``adapt`` (the order of the rules). Today's date always comes in
as an argument.
"""
