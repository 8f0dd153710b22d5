"""What came of a case's offer to talk privately, as "Log outcome" records it: an event per
outcome, so reports can count service recoveries (the seeds: about 10 % take the offer up, about
2 % change the review)."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    PATIENT_CONTACTED = "patient_contacted"  # PX reached the person (or they reached PX)
    DECLINED = "declined"  # they said no to a conversation
    NO_REPLY = "no_reply"  # the offer went unanswered
    REVIEW_UPDATED = "review_updated"  # the reviewer edited the review after follow-up
    REVIEW_REMOVED = "review_removed"  # the review is gone

    @property
    def label(self) -> str:
        """The words a person picks in Slack."""
        return _LABELS[self]

    @property
    def took_up_offer(self) -> bool:
        """The person engaged with the offer (the seeds' "about 10 %")."""
        return self in {Outcome.PATIENT_CONTACTED, Outcome.REVIEW_UPDATED,
                        Outcome.REVIEW_REMOVED}

    @property
    def changed_review(self) -> bool:
        """The review changed after follow-up (the seeds' "about 2 %")."""
        return self in {Outcome.REVIEW_UPDATED, Outcome.REVIEW_REMOVED}


_LABELS = {
    Outcome.PATIENT_CONTACTED: "Patient contacted",
    Outcome.DECLINED: "Declined",
    Outcome.NO_REPLY: "No reply",
    Outcome.REVIEW_UPDATED: "Review updated",
    Outcome.REVIEW_REMOVED: "Review removed",
}


def parse_outcome(value: object) -> Outcome:
    """An outcome from a Slack option value; ValueError naming the field and the choices."""
    try:
        return Outcome(str(value))
    except ValueError:
        choices = ", ".join(outcome.value for outcome in Outcome)
        raise ValueError(f"outcome {value!r} is not one of: {choices}") from None
