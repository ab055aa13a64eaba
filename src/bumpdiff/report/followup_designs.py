"""The power checks of the follow-up's fine designs as README lines (``bumpdiff tables
percolation-design FILE`` and ``efficiency-design FILE``): what each design can tell apart, said
before its run, from the files ``bumpdiff evidence percolation-power`` and ``efficiency-power``
write."""

from __future__ import annotations


def percolation_design(design: dict) -> str:
    """Per width: the onset's standard error the design would reach, how far apart its two λ_c
    lie in those standard errors, and what the design can therefore answer."""
    d, lines = design["design"], []
    for w in design["widths"]:
        crit = {k: v for k, v in w["criticals"].items() if v is not None}
        said = " and ".join(f"{v:.2f} (overlap > {k})" for k, v in crit.items())
        se = w["onset_se"]
        if se is None:
            lines.append(f"- σ = {w['sigma']:g}: the pilot never reached the onset; no power.")
            continue
        gap = (max(crit.values()) - min(crit.values())) / se if len(crit) > 1 else None
        can = ("tells them apart: **decidable**" if w["tells_thresholds_apart"] else
               f"cannot tell them apart (fewer than {d['z']:g}), only whether the onset lies "
               "at neither")  # fmt: skip
        apart = f"lie {gap:.1f} standard errors apart" if gap is not None else "are one"
        lines.append(
            f"- σ = {w['sigma']:g}: {d['seeds']} seeds of {d['images']} images per λ on "
            f"{len(d['fractions'])} fractions give the onset a standard error of {se:.3f} (the "
            f"pilot's slope at its onset {w['slope']:.2f} per unit λ, seed spread "
            f"{w['seed_sd']:.2f}); its λ_c {said} {apart}: the design {can}."
        )
    return "\n".join(lines)


def efficiency_design(design: dict) -> str:
    """Per dataset: the exponent's standard error the design would reach, and whether that
    tells a linear from a quadratic exponent by ``z`` standard errors; the design's canvases
    where the pilot had no size to interpolate are named (efficiency_stats.exponent_power)."""
    d, lines = design["design"], []
    for name, row in design["datasets"].items():
        se, canvases = row["exponent_se"], row.get("canvases", d["sizes"])
        skipped = (f"N = {', '.join(map(str, row['no_crossing']))} left out (the pilot had no "
                   f"size to interpolate there: every kept fraction on one side of "
                   f"{d['target']:.0%}); " if row.get("no_crossing") else "")  # fmt: skip
        if se is None and "canvases" in row and len(canvases) < d["min_canvases"]:
            lines.append(f"- {name}: {skipped}fewer than {d['min_canvases']} canvases left: "
                         "the design cannot fit an exponent.")  # fmt: skip
            continue
        if se is None:
            lines.append(f"- {name}: {skipped}no predicted standard error (the pilot never went "
                         f"below {d['target']:.0%}): the run measures it.")  # fmt: skip
            continue
        can = "tells them apart" if row["tells_1_from_2"] else "cannot tell them apart"
        lines.append(
            f"- {name}: {skipped}{d['seeds']} seeds on N = {', '.join(map(str, canvases))} "
            f"give the exponent a standard error of {se:.2f}; exponents 1 and 2 lie "
            f"{1 / se:.1f} standard errors apart: the design {can} (by {d['z']:g})"
            + (
                " if seeds add no spread (a pilot of one seed shows evaluation noise only)."
                if row.get("pilot_seeds") == 1
                else "."
            )
        )
    return "\n".join(lines)
