"""Quotes for the stance tests: our own, in the reference pages' style, and the reference pages'.

The reference pages live outside the repository (`../shared/reference/` beside the checkout);
they are read at test time when present and never copied in.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Our own quotes in the reference style, each with the verdict it was written under. Some
# name the call, some never do; all discuss shipping, passing or waiting in passing.
OWN_QUOTES: list[tuple[str, str]] = [
    (
        "ship",
        "The primitive is a durable job behind a decorator: `@task` on a function, `.enqueue()` "
        "at the call site, and the service owns retries and dead letters. The DX bet is that "
        "teams would rather pay per job than babysit Redis and a fleet of Celery workers, and "
        "for bursty workloads that trade is right. From the card, the first ten minutes are "
        "`pip install`, one environment variable and a dashboard that shows a failed job with "
        "its arguments. A weekend gets you the toy; visibility timeouts and idempotency keys "
        "take a quarter. The decision that earns the ship is replay with the original payload.",
    ),
    (
        "ship",
        "Direct competitors are Inngest, Trigger.dev and plain SQS with a Lambda consumer, and "
        "the per-job price is the only thing here worth arguing about. Where it breaks: fan-out "
        "jobs that spawn thousands of children per parent, where the bill grows faster than the "
        "value and SQS wins on cost by an order of magnitude. Prediction: within a year it ships "
        "a flat-rate tier, because the heavy users will demand one. What would prove me wrong: "
        "a public customer running 50M jobs a month on the metered plan. Still ships, because "
        "nothing else on the list gets a failing job in front of you this fast.",
    ),
    (
        "skip",
        "The buyer is unclear. Engineering leads already pay for a queue inside their cloud bill, "
        "and this asks them to open a new vendor line for something SQS does at a tenth of the "
        "price. The pricing fights the usage pattern: it charges per job, while the value sits "
        "in the rare failure you debug, so heavy users pay most for what they use least. The moat "
        "is a dashboard, and AWS ships dashboards. After a 10x price drop in compute, the queue "
        "itself is free and only the replay button survives. Not a ship for a buyer with a budget "
        "to defend.",
    ),
    (
        "skip",
        "Forty thousand stars in a week says more about the launch thread than about the code. "
        "The benchmark on the card runs one model on one GPU, which is exactly the case every "
        "rival already handles; the multi-GPU story the pitch leans on is a roadmap slide. Until "
        "there is a reproducible number for a 70B model across two cards, I would hold off.",
    ),
    (
        "ship",
        "For a solo maker this removes the one bill that never stops: idle GPUs. Pay per second, "
        "scale to zero, and a side project that gets ten requests a day costs cents rather than "
        "a monthly reservation. Lock-in is mild, since the model server is plain vLLM and leaves "
        "with you. Shipping fast is the whole pitch, and for once the card backs it with numbers.",
    ),
    (
        "skip",
        "The thesis is that agents will live in the terminal, and the dependency is that model "
        "providers keep their APIs open to third-party harnesses. That dependency is already "
        "wobbling: two of the three big labs ship their own agent with terms that favour it. "
        "The second-order effect is real, since an open harness makes agent behaviour auditable, "
        "but this one is early in the wrong way, betting on openness the market is closing. "
        "I'd wait a year and see which labs still allow it.",
    ),
    (
        "ship",
        "It would be easy to dismiss this as another wrapper, and the skeptics will call it a "
        "skip. The card says otherwise: streaming partial tool arguments lets an agent loop "
        "dispatch work before the model finishes, which no rival offers today. There is no "
        "reason to wait for the competition to catch up when the latency win is available now.",
    ),
    (
        "skip",
        "Everything on the card is plausible and none of it is shown: no latency figures, no "
        "pricing beyond 'contact us', no customer who has run it past a pilot. Teams who adopt "
        "on a pitch deck learn the real limits in production. If the public beta publishes "
        "numbers I would ship it gladly; today the card gives me nothing to verify.",
    ),
]

# Calls against a ship verdict, in varied phrasing: each must be caught.
AGAINST_SHIP = [
    "Not a ship.",
    "I wouldn't ship this.",
    "I would not ship this.",
    "Skip it.",
    "A pass for me.",
    "Shipping on this now would be a mistake.",
    "I'd hold off.",
    "Hold off for a quarter.",
    "I'd wait for v2.",
    "Don't adopt it yet.",
    "Wait until the pricing settles.",
    "It's a skip.",
    "Hard pass.",
    "That's a skip from me.",
    "I can't recommend it.",
    "I won't be shipping this.",
    "My verdict: skip.",
    "I'll pass on this one.",
    "Adopting it today would be premature.",
    "It would be a mistake to ship it.",
    "Steer clear for now.",
    "I wouldn't bet on it.",
    "Not worth it.",
    "I'm not shipping this.",
    "I'd rather wait.",
    "Stick with Celery.",
    "I wouldn't, in its current state, ship it.",
    "This isn't one I'd ship.",
    "Don't bother.",
    "Hard to recommend.",
    "I'd sit this one out.",
    "Too early to ship.",
    "For now, skip.",
    "I'm passing on this one.",
    "I would never ship this to a team.",
    "Anything but a ship.",
    "Skip it until the SLA is published.",
]

# Calls against a skip verdict: each must be caught.
AGAINST_SKIP = [
    "Ship it.",
    "I'd ship it.",
    "I would ship this today.",
    "That's a ship.",
    "An easy ship.",
    "Not a skip.",
    "I wouldn't skip this.",
    "Don't skip it.",
    "No reason to wait.",
    "Skipping it would be a mistake.",
    "Holding off would be a mistake.",
    "I'd adopt it now.",
    "I recommend it.",
    "Worth shipping.",
    "Still a ship.",
    "Verdict: ship.",
    "You should ship it.",
    "Don't wait.",
    "There's no reason not to ship it.",
    "Green light from me.",
    "Easy yes.",
    "Waiting would be a mistake.",
    "It earns the ship.",
]

# Sentences that discuss shipping, skipping, passing or waiting without making a call.
NO_CALL = [
    "It ships with a CLI.",
    "Shipping fast is its pitch.",
    "OpenAI ships a 10M token cache window before Anthropic does.",
    "Both have been shipping for months.",
    "It lets you skip the Kubernetes YAML.",
    "The first-ten-minutes test passes hard.",
    "A single pass over the docs shows gaps.",
    "Worth the wait.",
    "I can't wait to see v2.",
    "Rather than waiting for full completion, you get deltas.",
    "AWS is holding off on GPU serverless.",
    "The ship date slipped twice.",
    "Critics will call it a skip.",
    "You can ship it to production in one command.",
    "Build, ship, iterate: the loop is tight.",
    "It gives AWS a free pass.",
    "Nobody else streams partial arguments, so the lead is real.",
    "Not yet for open-weight models.",
    "The `--skip-cache` flag helps.",
    "Would I ship it? The numbers will decide.",
]

# A call for a part of the audience or beside the opposite call: the editor decides.
MIXED_UNDER_SHIP = [
    "Skip it if you need multi-GPU inference, but for the rest, ship it.",
    "Skip it if your models need tensor parallelism.",
]

NEUTRAL_OPENING = (
    "The primitive is a hosted queue with retries, and the pricing is per job, which suits "
    "bursty workloads. Celery and Sidekiq stay free if you already run Redis. "
)


def reference_quotes() -> list[tuple[str, str, str]]:
    """(page, verdict, quote) for every quote of the reference pages, when they are present.

    A page's tool at 100% is all ships; on page 002, Claw Code's second reviewer (the doubter
    of hype signals) is its one skip (75%).
    """
    folder = next(
        (p / "shared" / "reference" for p in ROOT.parents if (p / "shared" / "reference").is_dir()),
        None,
    )
    if folder is None:
        return []
    found = []
    for page in sorted(folder.glob("0*.txt")):
        quotes = re.findall(r"\u201c(.*?)\u201d", page.read_text(encoding="utf-8"), re.S)
        for index, quote in enumerate(quotes):
            skip = page.name.startswith("002") and index == 2
            found.append((page.name, "skip" if skip else "ship", quote))
    return found
