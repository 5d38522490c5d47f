"""Plots of search and predictor results (matplotlib, installed with ``sknas[benchmarks]``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["plot_regret", "plot_fronts", "plot_kendall_tau", "plot_predicted_vs_true"]


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
                x=None, xlabel: str = "architectures evaluated", ax=None):
    """Best-so-far regret against the number of evaluated architectures (or another ``x``), one line per method.

    Parameters
    ----------
    curves : mapping of str to (mean, se)
        Per method, the mean regret after each query and its standard error
        (arrays of the same length; query ``i`` is ``i + 1`` evaluations). A standard
        error of None (a single run) draws no band.
    title, ylabel : str
        Labels of the figure.
    x : array-like, default=None
        The positive x value of every curve's points (e.g. cumulative training time); default
        ``1, 2, ...``.
    xlabel : str, default="architectures evaluated"
    ax : matplotlib Axes, default=None
        Draw into this Axes instead of a new figure.

    Returns
    -------
    fig : matplotlib Figure
        Lines are means, bands one standard error; the x axis is logarithmic,
        the y axis symmetric-log so that a regret of zero stays visible.
    """
    fig, ax = _axes(ax)
    top, x_min, x_max = 0.0, np.inf, 1
    for name, (mean, se) in curves.items():
        mean = np.asarray(mean, dtype=float)
        se = np.full_like(mean, np.nan) if se is None else np.asarray(se, dtype=float)
        xs = np.arange(1, len(mean) + 1) if x is None else np.asarray(x, dtype=float)
        (line,) = ax.plot(xs, mean, label=name, linewidth=1.8)
        if np.isfinite(se).any():
            ax.fill_between(xs, np.maximum(mean - se, 0), mean + se, color=line.get_color(), alpha=0.18, linewidth=0)
        # the y range holds every point: the symmetric-log axis keeps the small late regrets readable
        upper = mean + np.nan_to_num(se)
        top, x_min, x_max = (max(top, float(np.nanmax(upper)) if len(upper) else 0.0), min(x_min, xs[0]),
                             max(x_max, xs[-1]))
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_ylim(bottom=0, top=top * 1.15 if top > 0 else None)
    x_min = min(x_min, x_max)
    ax.set_xlim(x_min, x_max)
    ticks = [t for t in (1, 10, 25, 50, 100, 200, 500, 1000) if x_min <= t < x_max] + [x_max]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium", wrap=True)  # a long title wraps instead of running off the figure
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="mean ± s.e.", fontsize="small", loc="lower left")
    return fig


def plot_fronts(true_front, fronts: Mapping[str, np.ndarray], *, labels=("objective 1", "objective 2"),
                maximize=(True, True), title: str = "", ax=None):
    """Pareto fronts found by several methods against the true front (two objectives).

    Parameters
    ----------
    true_front : array-like of shape (n, 2)
        The true front as maximised values (costs negated, as
        :func:`~sknas.compare.front_points` gives them), drawn as a grey staircase.
    fronts : mapping of str to array-like of shape (m, 2)
        Per method, the Pareto-optimal points it found, as maximised values.
    labels : pair of str
        Names of the objectives.
    maximize : pair of bool, default=(True, True)
        Whether each objective is maximised; minimised ones are drawn with their
        natural sign, and an accuracy against a cost puts the cost on the x axis.
    title : str
    ax : matplotlib Axes, default=None

    Returns
    -------
    fig : matplotlib Figure
        The y axis starts at the 5th percentile of the values drawn, so that a few
        degenerate networks (accuracy at chance level) do not squash the front.
    """
    fig, ax = _axes(ax, figsize=(6.4, 4.6))
    sign = np.where(np.asarray(maximize, dtype=bool), 1.0, -1.0)
    order = [1, 0] if maximize[0] and not maximize[1] else [0, 1]

    def natural(P):
        return (np.asarray(P, dtype=float).reshape(-1, 2) * sign)[:, order]

    def staircase(P, **kw):
        P = P[np.argsort(P[:, 0])]
        return ax.step(P[:, 0], P[:, 1], where="post", **kw)

    drawn = [natural(true_front)]
    staircase(drawn[0], color="grey", linewidth=2.5, alpha=0.6, label="true front")
    for name, P in fronts.items():
        drawn.append(natural(P))
        (line,) = staircase(drawn[-1], linewidth=1.2, label=name)
        ax.scatter(drawn[-1][:, 0], drawn[-1][:, 1], s=14, color=line.get_color())
    y = np.concatenate([P[:, 1] for P in drawn])
    lo, hi = float(np.quantile(y, 0.05)), float(y.max())
    ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo) + 1e-12)
    ax.set_xlabel(labels[order[0]])
    ax.set_ylabel(labels[order[1]])
    ax.set_title(title, fontsize="medium")  # a benchmark, a cost and the runs: long titles fit the width
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
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
                           ax=None, value_range=None):
    """Scatter of predicted against true values, with the Kendall tau of these points in the legend.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted values.
    title, xlabel, ylabel : str
        Labels of the plot.
    ax : matplotlib Axes, default=None
        Where to draw; default: a new figure.
    value_range : (float, float), default=None
        The closed interval the values lie in (e.g. ``(0, 100)`` for an
        accuracy in %, a benchmark's
        :attr:`~sknas.datasets.TabularBenchmark.bounds`): predictions beyond
        it are drawn at its ends and counted in the legend. The Kendall tau
        is that of the raw predictions. None: drawn as predicted.

    Returns
    -------
    fig : matplotlib Figure
    """
    from .metrics import kendall_tau
    from .utils import check_range, clip_range, n_outside

    value_range = check_range(value_range, "value_range", allow_none=True)
    fig, ax = _axes(ax, figsize=(4.8, 4.6))
    y_true, raw = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    y_pred = clip_range(raw, value_range)
    label = f"Kendall tau {kendall_tau(y_true, raw):.3f}"
    n_out = n_outside(raw, value_range)
    if n_out:
        label += f"\n{n_out} predictions beyond [{value_range[0]:g}, {value_range[1]:g}] drawn at its ends"
    ax.scatter(y_true, y_pred, s=4, alpha=0.35, label=label)
    lo, hi = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    ax.plot([lo, hi], [lo, hi], color="grey", linewidth=1, linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return fig
