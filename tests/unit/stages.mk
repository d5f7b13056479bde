# Check unit tests of stage modules (verify: manifest, policy: merge/clamp)
include tests/unit/verify.mk
include tests/unit/policy.mk
