"""Per-class metrics and confusion matrices, as data and as text."""
from __future__ import annotations

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support


def scores(y_true: list[str], y_pred: list[str], labels: tuple[str, ...]) -> dict:
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": sum(a == b for a, b in zip(y_true, y_pred)) / len(y_true) if y_true else 0.0,
        "macro_f1": float(f1_score(y_true, y_pred, labels=list(labels), average="macro", zero_division=0)),
        "per_class": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                            "support": int(n[i])} for i, lab in enumerate(labels)},
        "confusion": {"labels": list(labels),
                      "matrix": confusion_matrix(y_true, y_pred, labels=list(labels)).tolist()},
    }


def format_scores(s: dict, title: str) -> str:
    lines = [f"{title}: n={s['n']} accuracy={s['accuracy']:.3f} macro-F1={s['macro_f1']:.3f}",
             f"  {'class':<14}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>5}"]
    for lab, m in s["per_class"].items():
        lines.append(f"  {lab:<14}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>5}")
    labels = s["confusion"]["labels"]
    lines.append("  confusion (rows: true, columns: predicted)")
    lines.append("  " + " " * 14 + "".join(f"{lab[:8]:>9}" for lab in labels))
    for lab, row in zip(labels, s["confusion"]["matrix"]):
        lines.append(f"  {lab:<14}" + "".join(f"{n:>9}" for n in row))
    return "\n".join(lines)


def markdown_scores(s: dict) -> str:
    """Per-class table and confusion matrix in Markdown, for model cards."""
    labels = s["confusion"]["labels"]
    out = [f"n={s['n']}, accuracy {s['accuracy']:.3f}, **macro-F1 {s['macro_f1']:.3f}**", "",
           "| class | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    for lab, m in s["per_class"].items():
        out.append(f"| {lab} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    out += ["", "Confusion (rows: true, columns: predicted)", "",
            "| | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for lab, row in zip(labels, s["confusion"]["matrix"]):
        out.append(f"| **{lab}** | " + " | ".join(str(n) for n in row) + " |")
    return "\n".join(out)
