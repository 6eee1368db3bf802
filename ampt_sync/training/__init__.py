"""The training engine: pure functions over plain data (no I/O, no clock, no database).

``fitness`` (VDOT, race times, training paces, critical speed, time-off decay, the current
estimate), ``classify`` (what kind of run an activity was, and whether to trust it), ``library``
(the AMPT workout templates), ``inventory`` (the seed's first step: what the runner does now),
then the planner and the adaptation built on them. Today's date always comes in as an argument.
"""
