"""Plots of search and predictor results (matplotlib, installed with ``sknas[benchmarks]``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["plot_regret", "plot_kendall_tau", "plot_predicted_vs_true"]


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'sknas[benchmarks]'") from exc
    return plt


def _axes(ax, figsize=(6.4, 4.2)):
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def plot_regret(curves: Mapping[str, tuple], *, title: str = "", ylabel: str = "validation regret (% points)",
                ax=None):
    """Best-so-far regret against the number of evaluated architectures, one line per method.

    Parameters
    ----------
    curves : mapping of str to (mean, se)
        Per method, the mean regret after each query and its standard error
        (arrays of the same length; query ``i`` is ``i + 1`` evaluations). A standard
        error of None (a single run) draws no band.
    title, ylabel : str
        Labels of the figure.
    ax : matplotlib Axes, default=None
        Draw into this Axes instead of a new figure.

    Returns
    -------
    fig : matplotlib Figure
        Lines are means, bands one standard error; the x axis is logarithmic,
        the y axis symmetric-log so that a regret of zero stays visible.
    """
    fig, ax = _axes(ax)
    top, n_max = 0.0, 1
    for name, (mean, se) in curves.items():
        mean = np.asarray(mean, dtype=float)
        se = np.full_like(mean, np.nan) if se is None else np.asarray(se, dtype=float)
        x = np.arange(1, len(mean) + 1)
        (line,) = ax.plot(x, mean, label=name, linewidth=1.8)
        if np.isfinite(se).any():
            ax.fill_between(x, np.maximum(mean - se, 0), mean + se, color=line.get_color(), alpha=0.18, linewidth=0)
        # the y range: from the first tenth of the run on (the first trials' regret would squash the rest)
        tail = (mean + np.nan_to_num(se))[len(mean) // 10:]
        top, n_max = max(top, float(np.nanmax(tail)) if len(tail) else 0.0), max(n_max, len(mean))
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_ylim(bottom=0, top=top * 1.15 if top > 0 else None)
    ax.set_xlim(1, n_max)
    ticks = [t for t in (1, 10, 25, 50, 100, 200, 500, 1000) if t < n_max] + [n_max]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("architectures evaluated")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="mean ± s.e.", fontsize="small", loc="lower left")
    return fig


def plot_kendall_tau(sizes, results: Mapping[str, tuple], *, title: str = "", ax=None):
    """Kendall tau against training-set size, one line per predictor (``results[name] = (mean, std)``)."""
    fig, ax = _axes(ax)
    for name, (mean, std) in results.items():
        mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
        ax.errorbar(sizes, mean, yerr=std, label=name, marker="o", capsize=3, linewidth=1.5)
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [str(n) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("training architectures")
    ax.set_ylabel("Kendall tau on the other architectures")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def plot_predicted_vs_true(y_true, y_pred, *, title: str = "", xlabel: str = "true", ylabel: str = "predicted",
                           ax=None):
    """Scatter of predicted against true values, with the Kendall tau of these points in the legend."""
    from .metrics import kendall_tau

    fig, ax = _axes(ax, figsize=(4.8, 4.6))
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    ax.scatter(y_true, y_pred, s=4, alpha=0.35, label=f"Kendall tau {kendall_tau(y_true, y_pred):.3f}")
    lo, hi = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    ax.plot([lo, hi], [lo, hi], color="grey", linewidth=1, linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return fig
