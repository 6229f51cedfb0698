import io

from ccengine.demo._screen import Floor, Screen, render, summary_line
from ccengine.metrics import Dashboard

BOARD = Dashboard(now=0, agents_connected=12, active_campaigns=1, production_hours=0.5, active_lists=1,
                  argued_calls=30, argued_share=0.6, positive_contacts=9, positive_share=0.18,
                  shared_callbacks=2, abandon_rate=0.012)
FLOOR = Floor(elapsed=83, campaign="Demo", run_state="running", contacts=400, done=120, calls_placed=180,
              in_flight=14, waiting=1, agents={"on-call": 8, "wrap-up": 3, "available": 1, "paused": 0})


def test_the_screen_shows_every_seed_000_figure_and_the_floor() -> None:
    text = "\n".join(render("ccengine demo", BOARD, FLOOR))
    for expected in ("01:23", "Agents connected", "12", "Production hours", "0.50 h", "Argued calls",
                     "60.0 %", "Positive contacts", "18.0 %", "Callbacks on the shared agenda", "Abandon rate",
                     "1.2 %", "120 of 400 contacts done", "14 calls in flight", "1 waiting",
                     "8 on-call", "3 wrap-up", "1 available"):
        assert expected in text, expected
    assert "0 paused" not in text  # states nobody is in are not listed


def test_a_terminal_is_redrawn_in_place_and_a_pipe_gets_one_line_per_refresh() -> None:
    tty = io.StringIO()
    screen = Screen("ccengine demo", tty, live=True)
    screen.show(BOARD, FLOOR)
    screen.show(BOARD, FLOOR)
    lines = len(render("ccengine demo", BOARD, FLOOR))
    assert tty.getvalue().count(f"\x1b[{lines}F") == 1  # the second draw went back over the first
    pipe = io.StringIO()
    Screen("ccengine demo", pipe, live=False).show(BOARD, FLOOR)
    assert pipe.getvalue() == summary_line(BOARD, FLOOR) + "\n"
    assert "120/400 done" in pipe.getvalue() and "abandon 1.2 %" in pipe.getvalue()
