"""The members of bench/checkin.py for locust: each takes the next check-in of the plan (a
member's session, their meeting, the meeting's code key), computes the code the secretary's
screen shows now, and posts it as the check-in page's button does. Run by bench/checkin.py.
"""

import json
import os
import sys
import time
from pathlib import Path

from locust import FastHttpUser, constant_throughput, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lib.checkin import code_for, window_of

with open(os.environ["CHECKIN_PLAN"]) as handle:
    PLAN = json.load(handle)
# Taken from the end: the plan is in the order the check-ins should arrive, reversed.
QUEUE: list[list] = list(reversed(PLAN["checkins"]))
KEYS = {int(k): bytes.fromhex(v) for k, v in PLAN["keys"].items()}
CSRF = "benchcsrf0123456789abcdefghijklm"  # any 32 characters: the cookie and the header agree
PER_USER = float(os.environ.get("CHECKIN_PER_USER", "1"))
# The check-in page's address, with %d for the meeting (reverse("meetings:checkin") in the plan).
URL: str = PLAN["url"]


class Member(FastHttpUser):
    wait_time = constant_throughput(PER_USER)

    @task
    def check_in(self) -> None:
        if not QUEUE:
            # Let the check-ins still on their way finish (and count) before stopping.
            time.sleep(5)
            if self.environment.runner is not None:
                self.environment.runner.quit()
            return
        session, meeting_id = QUEUE.pop()
        code = code_for(KEYS[meeting_id], meeting_id, window_of(time.time()))
        # Each check-in is another member: no cookie of the previous one may follow.
        self.client.cookiejar.clear()
        with self.client.post(
            URL % meeting_id,
            data={"c": code},
            headers={
                "Cookie": f"sessionid={session}; csrftoken={CSRF}",
                "X-CSRFToken": CSRF,
            },
            name="check-in",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or 'id="checked-in"' not in (response.text or ""):
                response.failure(f"{response.status_code}")
