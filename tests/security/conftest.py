"""Hypothesis settings for the security suite: the same examples on every CI run."""

from hypothesis import HealthCheck, settings

from pg import in_ci

# CI runs the same examples every time, so a red run can be reproduced; a developer's runs
# explore new ones (and replay the failures Hypothesis saved in .hypothesis/).
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
if in_ci():
    settings.load_profile("ci")
