"""Scores for batch triage against gold labels (the triage_eval command and the tests)."""

from __future__ import annotations


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def score(gold: list[dict], predicted: list[dict]) -> dict:
    """Accuracy of subcategory, category (its first two digits), top-3, department and case
    type; precision and recall of urgent; and of duplicates, where a predicted `duplicate_of`
    is right when it names a line of the same gold incident (the first report or another
    report of it)."""
    by_id = {str(record["id"]): record for record in gold}
    cluster = {}
    for record in gold:
        root = record["duplicate_of"]
        cluster[str(record["id"])] = str(root) if root is not None else str(record["id"])
    counts = dict.fromkeys(("sub", "cat", "top3", "dep", "type", "utp", "upred", "ugold", "dtp", "dpred", "dgold"), 0)
    errors = []
    for out in predicted:
        truth = by_id[str(out["id"])]
        top3 = [out["subcategory"]] + [alt["subcategory"] for alt in out["alternatives"][:2]]
        counts["sub"] += out["subcategory"] == truth["subcategory"]
        counts["cat"] += out["category"] == truth["subcategory"][:2]
        counts["top3"] += truth["subcategory"] in top3
        counts["dep"] += "department" in truth and out["department"] == truth["department"]
        counts["type"] += out["case_type"] == truth["case_type"]
        counts["upred"] += bool(out["urgent"])
        counts["ugold"] += bool(truth["urgent"])
        counts["utp"] += bool(out["urgent"]) and bool(truth["urgent"])
        if out["duplicate_of"] is not None:
            counts["dpred"] += 1
            if truth["duplicate_of"] is not None and cluster.get(str(out["duplicate_of"])) == cluster[str(out["id"])]:
                counts["dtp"] += 1
        counts["dgold"] += truth["duplicate_of"] is not None
        if (
            out["subcategory"] != truth["subcategory"]
            or bool(out["urgent"]) != bool(truth["urgent"])
            or ((out["duplicate_of"] is None) != (truth["duplicate_of"] is None))
        ):
            errors.append(
                {
                    "id": out["id"],
                    "subcategory": [truth["subcategory"], out["subcategory"]],
                    "urgent": [truth["urgent"], out["urgent"]],
                    "duplicate_of": [truth["duplicate_of"], out["duplicate_of"]],
                }
            )
    n = len(predicted)
    precision = _ratio(counts["dtp"], counts["dpred"])
    recall = _ratio(counts["dtp"], counts["dgold"])
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if counts["dgold"] else None)
    return {
        "count": n,
        "subcategory_accuracy": _ratio(counts["sub"], n),
        "category_accuracy": _ratio(counts["cat"], n),
        "top3_accuracy": _ratio(counts["top3"], n),
        "department_accuracy": _ratio(counts["dep"], n),
        "case_type_accuracy": _ratio(counts["type"], n),
        "urgent_precision": _ratio(counts["utp"], counts["upred"]),
        "urgent_recall": _ratio(counts["utp"], counts["ugold"]),
        "urgent_tp": counts["utp"],
        "urgent_predicted": counts["upred"],
        "urgent_gold": counts["ugold"],
        "duplicate_precision": precision,
        "duplicate_recall": recall,
        "duplicate_f1": f1,
        "duplicate_tp": counts["dtp"],
        "duplicate_predicted": counts["dpred"],
        "duplicate_gold": counts["dgold"],
        "errors": errors,
    }
