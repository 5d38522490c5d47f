import numpy as np

from sknas.plotting import plot_kendall_tau, plot_predicted_vs_true, plot_regret


def test_plots_render(tmp_path):
    mean = np.linspace(2, 0, 30)
    fig = plot_regret({"a": (mean, np.full(30, 0.1)), "b": (mean / 2, np.full(30, np.nan))}, title="t")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "architectures evaluated"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_ylim()[1] >= 2.1  # every point inside, the first trials' regret (2 + 0.1 s.e.) included
    fig.savefig(tmp_path / "r.png")
    long = "nasbench201 cifar10-valid: validation regret, mean ± s.e. over 5 seeds, " * 2
    fig = plot_regret({"a": (mean, None)}, title=long)
    fig.canvas.draw()
    box = fig.axes[0].title.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1  # a long title wraps inside the figure
    fig = plot_kendall_tau([78, 156], {"mlp": ([0.5, 0.6], [0.01, 0.02])})
    assert fig.axes[0].get_ylabel().startswith("Kendall tau")
    rng = np.random.default_rng(0)
    y = rng.random(100)
    fig = plot_predicted_vs_true(y, y + 0.01 * rng.random(100))
    assert "Kendall tau" in fig.axes[0].get_legend().get_texts()[0].get_text()
    fig.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 5000
