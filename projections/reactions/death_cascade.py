"""The death-notification process: a verified death is recorded on every case it touches.

It tails the log for `DeathVerified`, never past the position the `person_enrolment` view
has reached (that view says who is counted where), and remembers its own position in
`projection_tracking`. The ledger command it calls is idempotent, so a crash anywhere between
the verification and the consequences is repaired by running it again: at least once,
with exactly-once effect. A failure of the command on one death stops the process there and
shows in projectionStatus; a lost connection is retried by the runner.
"""

from __future__ import annotations

from domain.deaths.notification import DeathNotification
from domain.ledger import Ledger
from domain.shared.errors import Unavailable
from domain.topics import topics_of
from projections import tracking
from projections.runner import ProjectionFailed
from projections.store import Database, is_transient
from projections.views.person_enrolment import EnrolmentView, PersonEnrolment

NAME = "death_cascade"


class DeathCascade:
    name = NAME

    def __init__(self, ledger: Ledger, db: Database, batch_size: int = 100):
        self.ledger = ledger
        self.db = db
        self.batch_size = batch_size
        self.topics = topics_of(DeathNotification.DeathVerified)
        self.enrolments = EnrolmentView(db)

    def _track(self, position: int, handled: int) -> None:
        with self.db.transaction() as tx:
            tracking.advance(tx, NAME, position, handled)

    def run_once(self) -> int:
        """Handle every verified death the enrolment view has seen; return how many."""
        done = 0
        limit = tracking.position(self.db, PersonEnrolment.name)
        position = tracking.position(self.db, NAME)
        while position < limit:
            batch = self.ledger.recorder.select_notifications(
                start=position, limit=self.batch_size, stop=limit, topics=self.topics,
                inclusive_of_start=False,
            )  # fmt: skip
            for note in batch:
                event = self.ledger.mapper.to_domain_event(note)
                try:
                    person = self.ledger.get_death(event.originator_id).person_id
                    # No wait: this batch never goes past the position the view has reached.
                    found = self.enrolments.active_enrolments([person], up_to=None)
                    cases = [e.case_id for e in found]
                    self.ledger.apply_death_consequences(event.originator_id, cases)
                except Exception as e:
                    if is_transient(e) or isinstance(e, Unavailable):
                        raise  # the runner retries it, with pauses
                    raise ProjectionFailed(
                        f"{NAME} cannot handle DeathVerified at position {note.id}: "
                        f"{type(e).__name__}: {e}",
                        note.id,
                    ) from e
                self._track(note.id, 1)
                done += 1
            if len(batch) < self.batch_size:
                self._track(limit, 0)  # nothing more up to the view: keep the lag honest
                break
            position = batch[-1].id
        return done
