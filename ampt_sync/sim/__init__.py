"""Simulated Strava and Garmin Connect, speaking their real HTTP APIs on loopback."""
