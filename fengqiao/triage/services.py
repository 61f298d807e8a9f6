"""Triage inside the product: suggest at intake, record the clerk's decision, learn from it.

`suggest_at_intake` and `record_at_intake` are called by `cases.actions.do_create_case`, so
every channel (the resident's form, the clerk's form, the API, Open311, imports through the
action) is triaged the same way. They never make a creation fail: a broken or missing model
logs the error and the case is created without a suggestion.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from fengqiao.org.models import Unit, User, ancestor_paths
from fengqiao.taxonomy.models import CaseType, Subcategory, route

from .models import Decision, TriageSuggestion

logger = logging.getLogger(__name__)

# Urgency the intake acts on by itself (urgent flag, 2-hour deadline, the person on duty is
# woken). Below this but above the model's own threshold the clerk sees a "possibly urgent"
# warning instead: a false alarm at night costs someone their sleep.
CONFIDENT_URGENT = 0.6
# Open cases compared for duplicates: the same street (or the unit itself when higher up),
# received within the duplicate window, at most this many of the latest.
DUPLICATE_CANDIDATES = 300
STREET_DEPTH = 2


@dataclass
class IntakeSuggestion:
    subcategory: str
    category: str
    default_department: str
    case_type: str
    confidence: float
    case_type_confidence: float
    urgent: bool
    urgent_probability: float
    alternatives: list[dict]
    explanation: list[str]
    danger_words: list[str]
    model_version: str
    duplicate_of_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def urgent_confident(self) -> bool:
        return self.urgent and self.urgent_probability >= CONFIDENT_URGENT


def _area_path(unit: Unit) -> str:
    paths = ancestor_paths(unit.path)
    return paths[min(STREET_DEPTH, len(paths) - 1)]


def suggest(*, text: str, address: str = "", unit: Unit | None = None, received_at: dt.datetime | None = None):
    """The model's suggestion for one appeal, with its explanation and (when a unit is given)
    the earlier open case in the same street that reports the same incident."""
    from fengqiao.cases.models import Case, Status

    from .duplicates import WINDOW, DuplicateFinder, Entry, text_vectors
    from .places import parse_place
    from .store import get_model

    model = get_model()
    matrix = model.featurizer.transform([text])
    prediction = model.predict([text], matrix=matrix)[0]
    received_at = received_at or timezone.now()
    suggestion = IntakeSuggestion(
        subcategory=prediction.subcategory,
        category=prediction.category,
        default_department=prediction.department,
        case_type=prediction.case_type,
        confidence=prediction.confidence,
        case_type_confidence=prediction.case_type_confidence,
        urgent=prediction.urgent,
        urgent_probability=prediction.urgent_probability,
        alternatives=[{"subcategory": code, "confidence": round(p, 4)} for code, p in prediction.alternatives],
        explanation=model.explain(text, subcategory=prediction.subcategory, matrix=matrix),
        danger_words=model.danger_words(text) if prediction.urgent else [],
        model_version=str(model.info.get("version", "")),
    )
    if unit is None:
        return suggestion
    top3 = {prediction.subcategory} | {code for code, _p in prediction.alternatives[:2]}
    earlier = list(
        TriageSuggestion.objects.filter(
            case__unit__path__startswith=_area_path(unit),
            case__received_at__gte=received_at - WINDOW,
            case__received_at__lte=received_at,
        )
        .exclude(case__status__in=[Status.MERGED, Status.CLOSED])
        .filter(Q(subcategory__code__in=top3) | Q(case__subcategory__code__in=top3))
        .select_related("case", "case__subcategory", "subcategory")
        .order_by("-case__received_at")[:DUPLICATE_CANDIDATES]
    )
    if not earlier:
        return suggestion
    earlier.reverse()
    cases: list[Case] = [row.case for row in earlier]
    vectors = text_vectors(model, [case.text for case in cases] + [text])
    finder = DuplicateFinder()
    for row, (candidate, case) in enumerate(zip(earlier, cases, strict=True)):
        codes = {candidate.subcategory.code} | {alt["subcategory"] for alt in candidate.alternatives[:2]}
        if case.subcategory is not None:
            codes.add(case.subcategory.code)
        finder.add(
            Entry(
                key=str(case.pk),
                received_at=case.received_at,
                place=parse_place(case.address, case.text),
                vector=vectors[row],
                subcategory=case.subcategory.code if case.subcategory is not None else candidate.subcategory.code,
                subcategories=frozenset(codes),
                urgent=case.urgent or candidate.urgent,
                root=str(case.merged_into_id or case.pk),
            )
        )
    match = finder.find(
        Entry(
            key="new",
            received_at=received_at,
            place=parse_place(address, text),
            vector=vectors[len(cases)],
            subcategory=prediction.subcategory,
            subcategories=frozenset(top3),
            urgent=prediction.urgent,
            root="new",
        )
    )
    if match is not None:
        suggestion.duplicate_of_id = int(match.root)
    return suggestion


def suggest_at_intake(
    *, text: str, address: str, unit: Unit, received_at: dt.datetime | None
) -> IntakeSuggestion | None:
    """`suggest`, or None (logged) when triage fails: intake must never fail because of it."""
    try:
        with transaction.atomic():  # a savepoint: a failed query must not poison the creation
            return suggest(text=text, address=address, unit=unit, received_at=received_at)
    except Exception:
        logger.exception("Triage failed; the case is created without a suggestion")
        return None


def record_at_intake(*, case, suggestion: IntakeSuggestion | None) -> TriageSuggestion | None:
    """Store the suggestion for a just-created case, with the department the unit's routing
    table gives for the suggested subcategory."""
    if suggestion is None:
        return None
    try:
        # A savepoint: a failure here (a subcategory retired since the model was trained)
        # must not break the creation's transaction.
        with transaction.atomic():
            return _create_suggestion(case=case, suggestion=suggestion)
    except Exception:
        logger.exception("Could not record the triage suggestion for case %s", case.pk)
        return None


def _create_suggestion(*, case, suggestion: IntakeSuggestion) -> TriageSuggestion:
    subcategory = Subcategory.objects.select_related("department").get(code=suggestion.subcategory)
    return TriageSuggestion.objects.create(
        case=case,
        subcategory=subcategory,
        case_type=CaseType.objects.get(code=suggestion.case_type),
        department=route(unit=case.unit, subcategory=subcategory),
        urgent=suggestion.urgent,
        duplicate_of_id=suggestion.duplicate_of_id,
        confidence=suggestion.confidence,
        case_type_confidence=suggestion.case_type_confidence,
        urgent_probability=suggestion.urgent_probability,
        alternatives=suggestion.alternatives,
        explanation=suggestion.explanation,
        danger_words=suggestion.danger_words,
        model_version=suggestion.model_version,
    )


def latest_suggestion(case) -> TriageSuggestion | None:
    return (
        TriageSuggestion.objects.filter(case=case)
        .select_related("subcategory", "subcategory__category", "case_type", "department", "duplicate_of")
        .first()
    )


def record_decision(*, case, actor: User | None) -> None:
    """The clerk confirmed the classification (the accept action): mark the case's open
    suggestion accepted when the subcategory is the suggested one, else corrected."""
    suggestion = TriageSuggestion.objects.filter(case=case, decision="").first()
    if suggestion is None or case.subcategory_id is None:
        return
    decision = Decision.ACCEPTED if case.subcategory_id == suggestion.subcategory_id else Decision.CORRECTED
    TriageSuggestion.objects.filter(pk=suggestion.pk).update(
        decision=decision,
        decided_by=actor,
        decided_at=timezone.now(),
        final_subcategory_id=case.subcategory_id,
        final_case_type_id=case.case_type_id,
    )


def attach_suggestions(cases) -> None:
    """Set `case.triage` (the latest suggestion or None) on each case: one query for a list."""
    cases = list(cases)
    latest: dict[int, TriageSuggestion] = {}
    rows = (
        TriageSuggestion.objects.filter(case__in=[case.pk for case in cases])
        .select_related("subcategory", "subcategory__category", "case_type", "department", "duplicate_of")
        .order_by("case_id", "-created_at", "-id")
    )
    for row in rows:
        latest.setdefault(row.case_id, row)
    for case in cases:
        case.triage = latest.get(case.pk)


def percent_label(numerator: int, denominator: int) -> str:
    """97.83% for 180/184, as every rate in the product; "—" when nothing was counted."""
    return f"{numerator / denominator * 100:.2f}%" if denominator else "—"


def acceptance_by_month(*, cases: QuerySet) -> list[dict]:
    """Per category and month (of the suggestion): suggestions, decided, accepted and the
    acceptance rate (accepted / decided, None when nothing was decided yet)."""
    rows = (
        TriageSuggestion.objects.filter(case__in=cases)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "subcategory__category__code", "subcategory__category__name")
        .annotate(
            total=Count("id"),
            decided=Count("id", filter=~Q(decision="")),
            accepted=Count("id", filter=Q(decision=Decision.ACCEPTED)),
        )
        .order_by("-month", "subcategory__category__code")
    )
    table = []
    for row in rows:
        decided = row["decided"]
        table.append(
            {
                "month": row["month"],
                "category": row["subcategory__category__code"],
                "category_name": row["subcategory__category__name"],
                "total": row["total"],
                "decided": decided,
                "accepted": row["accepted"],
                "rate": row["accepted"] / decided if decided else None,
                "rate_label": percent_label(row["accepted"], decided),
            }
        )
    return table


def training_examples_from_cases(*, limit: int = 50_000) -> list:
    """Cases whose classification a person confirmed or corrected, newest first. Cases where
    the clerk corrected the model count twice: they are exactly what the model got wrong."""
    from fengqiao.cases.models import Case, Status

    from .model import Example

    corrected = set(TriageSuggestion.objects.filter(decision=Decision.CORRECTED).values_list("case_id", flat=True))
    rows = (
        Case.objects.filter(classification_confirmed=True, subcategory__isnull=False)
        .exclude(status=Status.MERGED)
        .order_by("-received_at")
        .values_list("id", "text", "subcategory__code", "case_type__code", "urgent")[:limit]
    )
    return [
        Example(
            text=text,
            subcategory=subcategory,
            case_type=case_type,
            urgent=urgent,
            weight=2.0 if case_id in corrected else 1.0,
            source="corrected" if case_id in corrected else "confirmed",
        )
        for case_id, text, subcategory, case_type, urgent in rows
    ]


def model_info() -> dict:
    """What the loaded model was trained on (version, examples, time), or {} when none loads."""
    from .store import get_model

    try:
        return dict(get_model().info)
    except Exception:
        logger.exception("No triage model")
        return {}
