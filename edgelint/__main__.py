from edgelint.cli import run

run()
