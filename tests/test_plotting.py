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


def test_predictions_beyond_the_range_are_drawn_at_its_ends(data_home):
    """The default predictor fitted on 40 random NB201 cells predicts some accuracies above 100%: drawn at 100,
    counted in the legend; the Kendall tau is that of the raw predictions."""
    from sknas.datasets import load_nasbench201
    from sknas.metrics import kendall_tau
    from sknas.predictors import ArchitectureRegressor

    bench = load_nasbench201("cifar10-valid")
    y = bench.metrics["valid"]
    tr = np.random.default_rng(0).permutation(len(bench))[:40]
    pred = ArchitectureRegressor(bench.space, model="mlp", random_state=0).fit(bench.X[tr], y[tr]).predict(bench.X)
    above = int((pred > 100).sum())
    assert above > 0  # the predictor extrapolates
    fig = plot_predicted_vs_true(y, pred, value_range=bench.bounds["valid"])
    drawn = fig.axes[0].collections[0].get_offsets()[:, 1]
    np.testing.assert_array_equal(drawn, np.clip(pred, 0, 100))
    label = fig.axes[0].get_legend().get_texts()[0].get_text()
    assert label == f"Kendall tau {kendall_tau(y, pred):.3f}\n{above} predictions beyond [0, 100] drawn at its ends"
    raw = plot_predicted_vs_true(y, pred).axes[0]
    assert raw.collections[0].get_offsets()[:, 1].max() > 100
    assert "beyond" not in raw.get_legend().get_texts()[0].get_text()
