"""The words of the contract (DESIGN.md, Vocabulary): one place, shared by every service."""

PROVIDER_TYPES = ("shelter", "medical", "mental_health", "legal", "interpreter", "repatriation")
NEEDS = ("shelter", "medical", "mental_health", "legal", "residence_status", "compensation",
         "interpreter", "repatriation")
GENDERS = ("female", "male", "non_binary")
EXPLOITATION_TYPES = ("sexual", "labour", "criminal", "other")
RESIDENCE_STATUSES = ("dutch", "eu", "reflection_period", "residence_permit", "asylum", "undocumented", "unknown")
# How a provider delivers its services: at its own building, by phone or video, or at the person's place.
DELIVERY_MODES = ("on_site", "remote", "outreach")
# Support a person may need beyond their needs: a provider specialises in some and cannot serve others.
SUPPORT_NEEDS = ("lgbtqi", "psychiatric", "addiction", "intellectual_disability", "pregnant", "physical_disability")
# Support needs that make a case "complex" in Dutch shelter practice.
COMPLEX_SUPPORT_NEEDS = ("psychiatric", "addiction", "intellectual_disability")
# The categories of Dutch trafficking shelters: for non-Dutch victims in the reflection period or with a permit
# during the criminal case, for Dutch and EU adults (municipal shelter), for complex needs, for minors, and
# safe houses only for LGBTQI+ people.
TARGET_GROUPS = ("reflection_period_non_dutch", "dutch_eu_adults", "complex_needs", "minors", "lgbtqi")
CAPACITY_UNITS = ("bed", "appointment", "case", "hour")
PROVIDER_STATUSES = ("active", "inactive", "temporarily_closed")
REFERRAL_STATUSES = ("pending", "accepted", "declined", "cancelled", "expired")
ROLES = ("admin", "caseworker", "provider")

# Limits: documented in README (Limits) and enforced by the schemas.
MAX_PAGE_SIZE = 100
MAX_RADIUS_KM = 500
MAX_NEEDS = 10
# Outcome rows in one request of the matcher to the directory's figures (one row per need of a match).
MAX_FIGURE_ROWS = 1000
MAX_CANDIDATES_PER_NEED = 20  # candidates shown per need in a match
MAX_AVOID_AREAS = 10
MAX_CANDIDATE_QUERIES = 20  # queries in one internal candidate batch
MAX_GROUP_SIZE = 50
MAX_LANGUAGES = 20
MAX_PROVIDER_LANGUAGES = 60
MAX_CASE_REFERENCE = 64
MAX_PARTY = 20  # adults, and children, in one referral
MIN_HOLD_MINUTES = 5
MAX_HOLD_MINUTES = 72 * 60
DEFAULT_HOLD_MINUTES = 240
MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64  # nesting of arrays and objects in a request body

# What a referral tells the provider (never who the person is), and why it ended.
REFERRAL_URGENCIES = ("routine", "urgent", "emergency")  # emergency: a place is needed tonight
# After HL7 Gravity's rejection reasons; each side has the ones that are its to give.
DECLINE_REASONS = ("no_capacity", "not_eligible", "safety_concern", "duplicate", "other")
CANCEL_REASONS = ("person_declined", "placed_elsewhere", "duplicate", "no_longer_needed", "other")
REFERRAL_REASONS = tuple(dict.fromkeys(DECLINE_REASONS + CANCEL_REASONS))
MAX_REFERRAL_NOTE = 200
MAX_CALLBACK = 120
