"""The steps of one cycle (pull, deliver, finish) and what they share; :mod:`ampt_sync.service`
runs them in order."""
