"""ampt-sync: Strava history in, an adaptive AMPT plan out, structured workouts on Garmin."""

__version__ = "0.1.0"
