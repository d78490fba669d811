"""Every figure the lessons draw, one function per figure kind.

A helper that draws one panel takes ``ax=None`` (making its own axes when none
is given) and returns the Axes; one that draws a grid of panels returns the
Figure. None calls ``plt.show()``, saves files or changes global style.
The functions live in small modules by topic and are all re-exported here, so
lessons write ``at.plots.image_rows(...)``.
"""

from aetutor.plots.images import image_grid, image_rows
from aetutor.plots.latent import latent_bars
from aetutor.plots.training import training_curves

__all__ = ["image_grid", "image_rows", "latent_bars", "training_curves"]
