"""`python -m letters`: the command line."""

from letters.cli import run

run()
