"""The directory's names for the shared geometry (services.shared.geo), the one home of distances and cells."""
from ...shared.geo import CELL_LAT_STEP as COARSE_LAT_STEP  # noqa: F401
from ...shared.geo import CELL_LON_STEP as COARSE_LON_STEP  # noqa: F401
from ...shared.geo import CELL_PRECISION_KM as COARSE_PRECISION_KM  # noqa: F401
from ...shared.geo import EARTH_RADIUS_KM, KM_PER_DEGREE_LAT, bounding_box, coarsen, distance_km  # noqa: F401
