"""The people of the permit and licensing tests, whose permits, receipts and certificates
are checked here."""

from tests.licensing.conftest import contractor_class, finance, owner, retail  # noqa: F401
from tests.permits.conftest import _media_in_tmp, clerk, contractor, homeowner  # noqa: F401
