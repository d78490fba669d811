"""Every figure the lessons draw, one function per figure kind.

A helper that draws one panel takes ``ax=None`` (making its own axes when none
is given) and returns the Axes; one that draws a grid of panels returns the
Figure. None calls ``plt.show()``, saves files or changes global style.
The functions live in small modules by topic and are all re-exported here, so
lessons write ``at.plots.image_rows(...)``.
"""

from aetutor.plots.comparison import error_vs_latent_dim, rate_distortion, subspace_angles
from aetutor.plots.denoising import (
    denoising_rows,
    noise_level_curves,
    noise_level_grid,
    score_matrix,
)
from aetutor.plots.detection import (
    error_by_class,
    error_histogram,
    roc,
    threshold_tradeoff,
    timeseries_errors,
)
from aetutor.plots.diagram import autoencoder_diagram
from aetutor.plots.dictionary import density_histogram, sparsity_tradeoff, top_activating
from aetutor.plots.embedding import embedding_2d, latent_histograms
from aetutor.plots.features import (
    activation_histograms,
    pixel_weight_changes,
    pixel_weight_map,
    weight_images,
)
from aetutor.plots.fewlabels import accuracy_vs_labels
from aetutor.plots.images import image_grid, image_rows
from aetutor.plots.latent import (
    class_colors,
    latent_bars,
    latent_epochs,
    latent_grid,
    latent_grid_codes,
    latent_scatter,
)
from aetutor.plots.paths import interpolation, latent_path, path_profile
from aetutor.plots.retrieval import neighbour_rows
from aetutor.plots.training import training_curves
from aetutor.plots.variational import beta_sweep, elbo_curves, prior_grid

__all__ = [
    "accuracy_vs_labels",
    "activation_histograms",
    "autoencoder_diagram",
    "beta_sweep",
    "class_colors",
    "denoising_rows",
    "density_histogram",
    "elbo_curves",
    "embedding_2d",
    "error_by_class",
    "error_histogram",
    "error_vs_latent_dim",
    "image_grid",
    "image_rows",
    "interpolation",
    "latent_bars",
    "latent_epochs",
    "latent_grid",
    "latent_grid_codes",
    "latent_histograms",
    "latent_path",
    "latent_scatter",
    "neighbour_rows",
    "noise_level_curves",
    "noise_level_grid",
    "path_profile",
    "rate_distortion",
    "pixel_weight_changes",
    "pixel_weight_map",
    "prior_grid",
    "roc",
    "score_matrix",
    "sparsity_tradeoff",
    "subspace_angles",
    "threshold_tradeoff",
    "top_activating",
    "timeseries_errors",
    "training_curves",
    "weight_images",
]
