"""The people of the permit tests pay the fees here too."""

from tests.permits.conftest import _media_in_tmp, clerk, contractor, homeowner  # noqa: F401
