"""`ccengine …`: the command line.

Each area registers its own subcommands (``register(commands)``); this module only dispatches and
turns refused input into one line and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ccengine import center, serve
from ccengine.contacts import _commands as contact_commands
from ccengine.demo import _command as demo
from ccengine.demo import _replay as replay
from ccengine.errors import CCEngineError
from ccengine.pacing import plan
from ccengine.sim import _cli as sim_commands


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ccengine", description="Contact-center engine.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo.register(commands)
    replay.register(commands)
    plan.register(commands)
    contact_commands.register(commands)
    serve.register(commands)
    center.register(commands)
    sim_commands.register(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except CCEngineError as err:  # refused input: say what and which rule, no traceback
        print(f"ccengine: {err} [{err.slug}]", file=sys.stderr)
        return 2
    except (OSError, ValueError) as err:
        print(f"ccengine: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
