"""Compare search methods on tabular benchmarks: the engine behind ``sknas compare`` and the benchmark scripts.

Every method runs as an Optuna study that maximises validation accuracy, so sknas's samplers and
Optuna's own are compared under exactly the same protocol.

The library part says what is compared: the methods (:class:`Method`, :data:`METHODS`,
:func:`make_sampler`, :func:`make_pruner`) and the problems (:func:`load_spec`, :func:`parse_objectives`,
:func:`parse_constraint`, :func:`search_space`, :func:`front_points`, :func:`true_front`). The harness
runs and summarises: studies over seeds in processes, resumable in a storage (:func:`compare`,
:func:`run_study`, :func:`open_storage`, :func:`study_name`, :func:`reports_short`, :func:`study_prior`,
:func:`load_prior`), and their statistics per budget
(:func:`summarise`, :func:`summary_rows`, :func:`regret_curve`, :func:`returned`, :func:`trials_within`,
:func:`median_cost`, :func:`cost_grid`, :func:`curve_to_dict`, :func:`standard_error`, :func:`summarise_fronts`,
:func:`median_front`).
"""

from ._harness import (
    compare,
    cost_grid,
    curve_to_dict,
    load_prior,
    median_cost,
    median_front,
    open_storage,
    regret_curve,
    reports_short,
    returned,
    run_study,
    standard_error,
    study_name,
    study_prior,
    summarise,
    summarise_fronts,
    summary_rows,
    trials_within,
)
from ._methods import METHODS, Method, make_pruner, make_sampler
from ._problems import front_points, load_spec, parse_constraint, parse_objectives, search_space, true_front

__all__ = ["Method", "METHODS", "load_spec", "make_sampler", "make_pruner", "run_study", "study_name", "open_storage",
           "parse_constraint", "parse_objectives", "search_space", "summarise", "true_front", "front_points",
           "summarise_fronts", "median_front",
           "summary_rows", "regret_curve", "returned", "reports_short", "trials_within", "median_cost", "cost_grid",
           "curve_to_dict", "compare", "standard_error", "load_prior", "study_prior"]
