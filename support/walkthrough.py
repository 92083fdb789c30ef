"""The "how to fill in a return" walk-through: its steps, in order, each with the
screenshot of the portal that shows it.

The screenshots are PNGs under static/help/, built from the demo by
`manage.py help_screenshots` (`make help-screenshots`), which signs in as the demo
supplier and opens each step's page: so the pictures stay those of the portal as
it is. A step's `page` names which page of the supplier's return to open.
"""

from dataclasses import dataclass

SCREENSHOT_DIR = "help"  # under static/


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    text: str
    page: str  # "returns", "task_list", "line", "ask" or "spreadsheet"
    alt: str
    scroll_to: str = ""  # a CSS selector to bring to the top of the picture

    @property
    def image(self) -> str:
        return f"{SCREENSHOT_DIR}/{self.slug}.png"


STEPS = (
    Step(
        "1-your-returns",
        "Open your return",
        "Sign in with the email address the social value team has for you. Your "
        "returns are listed newest first, with how many contracts each has and its "
        "deadline. Open this year's.",
        "returns",
        "The list of your returns, with this year's return at the top.",
    ),
    Step(
        "2-task-list",
        "See every contract on it",
        "The return lists each of your contracts that qualified this year, with its "
        "status. Help, the guidance and your requests to the team are at the top.",
        "task_list",
        "A return's page: its reference, status and deadline, the credits for the "
        "year, and the list of contracts.",
    ),
    Step(
        "3-contract",
        "Fill in each contract",
        "For each contract, enter what was delivered in the year against each "
        "measure. Leave a measure blank if nothing was delivered; the credits add "
        "up as you type, against the contract's target.",
        "line",
        "A contract's page: the credits delivered so far against the target, and "
        "the first measures to fill in.",
        scroll_to="#live-credits, .app-credits-bar",
    ),
    Step(
        "4-ask",
        "Ask the team when you are stuck",
        "“Ask the team for help” is on the return and on every contract. Tick "
        "“Please call me” to be called back. The answer comes here and by email.",
        "ask",
        "The “Ask the team for help” form, with a question box, a “Please call me” "
        "tick box and a phone number.",
    ),
    Step(
        "5-spreadsheet",
        "Or fill it in as a spreadsheet",
        "With many contracts, download the return as a spreadsheet, fill in the "
        "yellow columns and upload it. You see what will change before anything is "
        "saved.",
        "spreadsheet",
        "The spreadsheet page: download the return, then upload the filled-in file.",
    ),
)
