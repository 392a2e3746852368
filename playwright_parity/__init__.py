"""HTML twins of the task GUIs and the harness that proves the simulator draws the same pixels.

`python -m playwright_parity --help`; how to write a twin: README.md here.
Nothing outside this package imports it.
"""
