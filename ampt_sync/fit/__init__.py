"""FIT workout files: the same workouts as the Garmin push, as files any FIT watch can take.

A file copied to a watch's ``GARMIN/NewFiles`` folder over USB appears under Training →
Workouts; Garmin Connect's import does not take workout files (see ``docs/fit.md``).

Public interface (the CLI's ``export fit``, the morning fallback and the runner's page use it):

* :func:`fit_file_name` — ``YYYY-MM-DD_<kind>_<key>.fit``, FAT-safe, stable per session;
* :func:`encode_workout` — a workout on a day as FIT bytes (the official SDK's Encoder);
* :func:`week_zip` — a zip of a week's files.

The SDK is imported only when a file is encoded, so importing this package stays cheap.
"""

from ampt_sync.fit.encode import encode_workout
from ampt_sync.fit.files import fit_file_name, fit_workouts, week_zip

__all__ = ["encode_workout", "fit_file_name", "fit_workouts", "week_zip"]
