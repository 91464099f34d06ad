"""PLS-SEM that reproduces seminr (and so SmartPLS).

Stands alone: it depends on numpy, scipy, pandas, :mod:`loyaltysurvey.errors` and the
shared resampling and syntax helpers of :mod:`loyaltysurvey.sem`::

    from loyaltysurvey.pls import PLS
    fit = PLS({"SAT": ["SAT1", "SAT2"], "LOY": ["LOY1", "LOY2"]}, "LOY ~ SAT").fit(frame)
    fit = fit.bootstrap(5000, seed=1)
    fit.paths; fit.reliability; fit.htmt
"""

from .algorithm import PLSEstimate, PLSSpec, fit_pls
from .ipma import IPMAResult
from .pls_fit import PLS, PLSFit, PLSResamples
from .predict import PLSPrediction

__all__ = ["IPMAResult", "PLS", "PLSEstimate", "PLSFit", "PLSPrediction", "PLSResamples", "PLSSpec", "fit_pls"]
