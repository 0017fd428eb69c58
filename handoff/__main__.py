"""`python -m handoff …` runs the command line, like the `handoff` script."""
from handoff.edge.cli.main import main

if __name__ == "__main__":
    main()
